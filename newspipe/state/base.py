"""The interface every state store keeps (SQLite here, Redis for several workers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class NothingCommitted(RuntimeError):
    """A commit refused as a whole: the store is as it was before it (so no file it would have
    named is referred to). Other errors from :meth:`StateStore.commit` may leave it unknown."""


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

    def prefetch(self, content_hash: str, band_keys: Sequence[int], prints: Sequence[int]) -> None:
        """The lookups of one document about to be judged (:meth:`find_exact` of its hash,
        :meth:`lsh_candidates` of its band keys, :meth:`paragraph_holders` of its prints) may be
        read now, together; a store whose lookups are local does nothing."""
        ...

    def find_exact(self, content_hash: str) -> str | None:
        """The id of the kept document with this content hash, if any."""
        ...

    def add_kept(self, content_hash: str, doc_id: str, run_id: str) -> None: ...

    def reset(self) -> None:
        """Forget what earlier runs recorded (dedup index, input manifest), in the transaction."""

    # -- near-duplicate index (newspipe.dedup): MinHash signatures and LSH band keys ----------

    def add_near_index(
        self, doc_id: str, band_keys: Sequence[int], signature: bytes, source: str | None
    ) -> None:
        """Record a kept document: its LSH band keys (signed 64-bit), signature and source.

        Documents too short for a signature come with no band keys and an empty signature, so
        that their source is still known. Recording the same ``doc_id`` again changes nothing.
        """
        ...

    def lsh_candidates(self, band_keys: Sequence[int]) -> list[str]:
        """The kept documents sharing at least one band key, each once, in the order kept."""
        ...

    def get_signatures(self, doc_ids: Sequence[str]) -> dict[str, bytes]:
        """The stored signature of each of ``doc_ids`` that has one."""
        ...

    def get_sources(self, doc_ids: Sequence[str]) -> dict[str, str | None]:
        """The source recorded with each of ``doc_ids`` known to the near-duplicate index."""
        ...

    # -- shared passages (newspipe.dedup.paragraphs): print -> documents holding it ----------

    def add_paragraph_prints(self, doc_id: str, prints: Sequence[int], max_holders: int) -> None:
        """Record that ``doc_id`` holds ``prints``; a print keeps at most ``max_holders + 1``
        holders (the first ones), enough to tell boilerplate from a shared passage."""
        ...

    def paragraph_holders(self, prints: Sequence[int]) -> dict[int, list[str]]:
        """The documents holding each of ``prints`` (absent when none), in the order recorded."""
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
