"""The interface every state store keeps (SQLite here, Redis for several workers)."""

from __future__ import annotations

from typing import Protocol


class StateStore(Protocol):
    """What earlier runs kept, so that a copy is caught whichever run sees it.

    Writes made during a run become visible to later runs only at :meth:`commit`, which the run
    calls at each output shard, just before the shard's files get their final names
    (:mod:`newspipe.shards`): a commit must be durable when it returns.
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

    # -- runs: the input manifest (newspipe.manifest) ------------------------------------------
    # Values are opaque JSON strings owned by newspipe.manifest; pending output shards live in
    # meta (newspipe.shards). Written in the same transaction as the documents they describe.

    def get_inputs(self, keys: list[str]) -> dict[str, str]:
        """The stored records of those of ``keys`` that earlier runs ingested (missing: absent)."""
        ...

    def set_input(self, key: str, record: str) -> None: ...
