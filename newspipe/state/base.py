"""The interface every state store keeps (SQLite here, Redis for several workers)."""

from __future__ import annotations

from typing import Protocol


class StateStore(Protocol):
    """What earlier runs kept, so that a copy is caught whichever run sees it.

    Writes made during a run become visible to later runs only at :meth:`commit`, which the run
    calls once its output files are complete.
    """

    def describe(self) -> str:
        """Where the state lives, for logs and the manifest (never with a password)."""
        ...

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...

    def find_exact(self, content_hash: str) -> str | None:
        """The id of the kept document with this content hash, if any."""
        ...

    def add_kept(self, content_hash: str, doc_id: str, run_id: str) -> None: ...

    def reset(self) -> None:
        """Forget what earlier runs recorded (dedup index, input manifest), in the transaction."""
        ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def close(self) -> None: ...
