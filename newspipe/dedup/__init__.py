"""Deduplication: exact copies (hash of the normalised text), near-duplicates (MinHash + LSH over
word shingles, confirmed on the stored signature) and shared passages, against a persistent index.
"""

from __future__ import annotations

from newspipe.dedup.config import DedupConfig
from newspipe.dedup.engine import Deduplicator, Overlap, Verdict, content_hash

__all__ = ["DedupConfig", "Deduplicator", "Overlap", "Verdict", "content_hash"]
