"""Deduplication: exact copies (hash of the normalised text), near-duplicates (MinHash + LSH over
word shingles, confirmed on the stored signature) and shared passages, against a persistent index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newspipe.dedup.config import DedupConfig

if TYPE_CHECKING:
    from newspipe.dedup.engine import Deduplicator, Overlap, Verdict, content_hash

__all__ = ["DedupConfig", "Deduplicator", "Overlap", "Verdict", "content_hash"]


def __getattr__(name: str) -> Any:
    # The engine needs numpy, a twentieth of a second to import: it is loaded when first used, so
    # that a cron run with nothing new to read starts without it.
    if name in __all__:
        from newspipe.dedup import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
