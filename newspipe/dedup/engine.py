"""The dedup decision for one document against the state store: exact, near-duplicate, or kept.

Plain code over the :class:`~newspipe.state.StateStore` interface (no SQL here, no Scrapy), so the
stage, the benchmark and the tests run the very same logic.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from newspipe.config import SettingError
from newspipe.dedup.config import MINHASH_SEED, DedupConfig
from newspipe.dedup.minhash import (
    band_keys,
    from_bytes,
    shingles_of,
    signature,
    similarity,
    to_bytes,
    word_hashes,
)
from newspipe.dedup.paragraphs import (
    MAX_PRINT_HOLDERS,
    Passages,
    passages,
    shared_passages,
)

if TYPE_CHECKING:
    from newspipe.state import StateStore

#: The state's meta key holding the profile its near-duplicate index was built with.
PROFILE_KEY = "near_dup_profile"


def content_hash(normalised: str | bytes) -> str:
    """The hash written as ``content_hash``: 128 bits of BLAKE2b of the normalised text."""
    data = normalised.encode("utf-8") if isinstance(normalised, str) else normalised
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class Overlap:
    """An earlier kept document sharing ``shared_paragraphs`` passages with this one."""

    id: str
    shared_paragraphs: int

    def as_record(self) -> dict[str, object]:
        return {"id": self.id, "shared_paragraphs": self.shared_paragraphs}


@dataclass(slots=True)
class Verdict:
    """What dedup decided for a document, and what :meth:`Deduplicator.remember` needs."""

    content_hash: str
    reason: str | None = None  # None (unique), "duplicate" or "near_duplicate"
    duplicate_of: str | None = None
    similarity: float | None = None
    overlaps: list[Overlap] = field(default_factory=list)
    band_keys: list[int] = field(default_factory=list)
    signature: bytes = b""
    passages: Passages | None = None

    @property
    def is_copy(self) -> bool:
        return self.reason is not None


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What dedup needs of a text, computed from the text alone (so it may run in a worker)."""

    content_hash: str
    signature: NDArray[np.uint32] | None  # None: fewer words than a shingle
    band_keys: list[int]
    passages: Passages

    def lookups(self) -> tuple[str, list[int], list[int]]:
        """What judging it looks up in the state: content hash, band keys, distinct prints."""
        return self.content_hash, self.band_keys, list(set(self.passages.prints))

    def __reduce__(self) -> tuple[Any, ...]:
        # Sent back from every worker for every document: the signature as bytes and the
        # fields as arguments unpickle several times faster than numpy's and dataclasses' own.
        sig = None if self.signature is None else self.signature.tobytes()
        return (_fingerprint, (self.content_hash, sig, self.band_keys, self.passages.prints))


def _fingerprint(
    content_hash: str, sig: bytes | None, keys: list[int], prints: tuple[int, ...]
) -> Fingerprint:
    signature = None if sig is None else np.frombuffer(sig, dtype=np.uint32)
    return Fingerprint(content_hash, signature, keys, Passages(prints))


def fingerprint(normalised: str, config: DedupConfig) -> Fingerprint:
    """Content hash, MinHash signature, LSH band keys and passage prints of a normalised text."""
    data = normalised.encode("utf-8")
    shingles = shingles_of(word_hashes(data), config.shingle_size)
    if not shingles.size:
        return Fingerprint(content_hash(data), None, [], Passages())
    sig = signature(shingles, config.permutations, MINHASH_SEED)
    return Fingerprint(
        content_hash(data),
        sig,
        band_keys(sig, config.bands, config.rows),
        passages(shingles, config.shingle_size),
    )


class Deduplicator:
    """Judges documents in input order against everything kept before, in this run or earlier."""

    def __init__(self, state: StateStore, config: DedupConfig) -> None:
        self.state = state
        self.config = config

    def check_profile(self) -> None:
        """Refuse a state whose index was built with other shingles, permutations or bands."""
        stored = self.state.get_meta(PROFILE_KEY)
        if stored is None:
            self.state.set_meta(PROFILE_KEY, self.config.profile)  # committed with the run
        elif stored != self.config.profile:
            raise SettingError(
                f"{self.state.describe()}: near-duplicate index built with {stored!r}, the "
                f"settings give {self.config.profile!r}; restore NEWSPIPE_SHINGLE_SIZE, "
                "NEWSPIPE_MINHASH_PERMUTATIONS, NEWSPIPE_LSH_BANDS and NEWSPIPE_LSH_ROWS, or "
                "point NEWSPIPE_STATE at a new file to rebuild"
            )

    def judge(self, normalised: str | Fingerprint) -> Verdict:
        """Exact copy first, then the best near-duplicate, else shared passages; writes nothing."""
        prints = (
            normalised
            if isinstance(normalised, Fingerprint)
            else fingerprint(normalised, self.config)
        )
        verdict = Verdict(prints.content_hash)
        lookups = prints.lookups()
        held = lookups[2]
        self.state.prefetch(*lookups)
        original = self.state.find_exact(verdict.content_hash)
        if original is not None:
            verdict.reason, verdict.duplicate_of, verdict.similarity = "duplicate", original, 1.0
            return verdict
        if prints.signature is not None:  # fewer words than a shingle: exact dedup only
            verdict.signature = to_bytes(prints.signature)
            verdict.band_keys = prints.band_keys
            best = self._best_candidate(prints.signature, verdict.band_keys)
            if best is not None and best[1] >= self.config.threshold:
                verdict.reason = "near_duplicate"
                verdict.duplicate_of, verdict.similarity = best
                return verdict
        verdict.passages = prints.passages
        holders = self.state.paragraph_holders(held)
        shared = shared_passages(prints.passages, holders)
        verdict.overlaps = [
            Overlap(doc_id, count)
            for doc_id, count in sorted(shared.items(), key=lambda item: (-item[1], item[0]))
        ]
        return verdict

    def _best_candidate(self, sig: NDArray[np.uint32], keys: list[int]) -> tuple[str, float] | None:
        candidates = self.state.lsh_candidates(keys)
        if not candidates:
            return None
        stored = self.state.get_signatures(candidates)
        best: tuple[str, float] | None = None
        for doc_id in candidates:  # in the order kept: on a tie the earliest stays best
            data = stored.get(doc_id)
            if data is None:
                continue
            estimate = round(similarity(sig, from_bytes(data)), 4)
            if best is None or estimate > best[1]:
                best = (doc_id, estimate)
        return best

    def remember(self, doc_id: str, verdict: Verdict, run_id: str, source: str | None) -> None:
        """Index a kept (unique) document so that later copies of it are caught."""
        if verdict.is_copy:
            return
        state = self.state
        state.add_kept(verdict.content_hash, doc_id, run_id)
        state.add_near_index(doc_id, verdict.band_keys, verdict.signature, source)
        if verdict.passages is not None:
            # The same print may summarise two passages: each is recorded once.
            prints = list(dict.fromkeys(verdict.passages.prints))
            state.add_paragraph_prints(doc_id, prints, MAX_PRINT_HOLDERS)
