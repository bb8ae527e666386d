"""Shared passages: documents that are not copies but carry the same paragraphs.

Wire stories are rewritten by each outlet: a paragraph comes back with a word changed, a sentence
cut or two paragraphs joined, and one outlet breaks lines where another writes one long paragraph
(seed articles 000 and 001). So passages are not cut at line breaks or punctuation, which differ
between outlets, but by the words themselves (content-defined chunking, as rsync and backup tools
cut files): a passage ends after each word shingle whose mixed hash falls in a fixed 1 in
``2**CHUNK_BITS`` sample, so the same run of words is cut the same way in both documents, wherever
it starts. Passages run about 16 shingles (20 words); shorter than :data:`MIN_PASSAGE_WORDS` they
are dropped.

Each passage is summarised by one *print*, its smallest mixed shingle hash (a one-value MinHash:
two versions of a passage share it with probability equal to their Jaccard similarity). A passage
of a new document is shared with an earlier document when its print is a print of that document;
the two documents overlap when they share :data:`MIN_SHARED_PASSAGES` passages or more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: A passage ends after 1 shingle in 2**CHUNK_BITS (by hash): about 16 shingles a passage.
CHUNK_BITS = 4
#: A passage shorter than this says too little to be called shared.
MIN_PASSAGE_WORDS = 8
#: Documents sharing fewer passages than this are not linked: one passage in common is most often
#: a stock phrase (a title, a formula), two or more are shared content (measured on SaudiNewsNet).
MIN_SHARED_PASSAGES = 2
#: A print held by more kept documents than this is boilerplate (a footer, a stock phrase):
#: it is ignored, and no more holders are recorded for it.
MAX_PRINT_HOLDERS = 20

# Two odd 64-bit multipliers: one decides where passages end, the other orders prints.
_CUT_MIX = np.uint64(0x9E3779B97F4A7C15)
_PRINT_MIX = np.uint64(0xD6E8FEB86659FD93)
_CUT_BELOW = np.uint64(1 << (64 - CHUNK_BITS))


@dataclass(frozen=True, slots=True)
class Passages:
    """A document's prints, one per passage long enough, in order (a print may repeat)."""

    prints: tuple[int, ...] = ()


def passages(shingles: NDArray[np.uint64], shingle_size: int) -> Passages:
    """The prints of a document's passages, from the hashes of its word shingles (in order)."""
    if shingles.size == 0:
        return Passages()
    # A passage ends after a shingle whose mixed hash has its CHUNK_BITS high bits 0 (the mixing
    # wraps around modulo 2**64, on purpose); the last shingle ends the last passage anyway.
    cuts = np.flatnonzero(shingles[:-1] * _CUT_MIX < _CUT_BELOW).tolist()
    starts = [0, *[cut + 1 for cut in cuts]]
    # Passages are runs of consecutive shingles: one reduceat takes each one's lowest print.
    lowest = np.minimum.reduceat(shingles * _PRINT_MIX, starts).view(np.int64).tolist()
    # A passage of n shingles covers n + size - 1 words.
    fewest = MIN_PASSAGE_WORDS - (shingle_size - 1)
    ends = [*starts[1:], shingles.size]
    return Passages(
        tuple(
            value
            for value, start, end in zip(lowest, starts, ends, strict=True)
            if end - start >= fewest
        )
    )


def shared_passages(doc: Passages, holders: dict[int, list[str]]) -> dict[str, int]:
    """The earlier documents sharing passages with ``doc``, with how many of its passages they hold.

    ``holders`` maps a print to the documents holding it; boilerplate prints (held by more than
    :data:`MAX_PRINT_HOLDERS` documents) are ignored.
    """
    shared: dict[str, int] = {}
    for value in doc.prints:
        ids = holders.get(value)
        if ids and len(ids) <= MAX_PRINT_HOLDERS:
            for doc_id in set(ids):
                shared[doc_id] = shared.get(doc_id, 0) + 1
    return {doc_id: count for doc_id, count in shared.items() if count >= MIN_SHARED_PASSAGES}
