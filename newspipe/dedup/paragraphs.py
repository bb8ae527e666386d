"""Shared passages: documents that are not copies but carry the same paragraphs or sentences.

Wire stories are rewritten by each outlet: the same paragraph comes back with a word changed, a
sentence cut or two paragraphs joined, and one outlet breaks lines where another writes one long
paragraph (seed articles 000 and 001). So a passage is a sentence (text split at line ends and at
``. ! ? ؟ ؛``), and passages are compared fuzzily through *prints*: the word 5-gram hashes of the
passage that fall in a fixed 1-in-``2**PRINT_BITS`` sample by value (sampling by value, unlike
sampling by position, picks the same prints in both copies wherever the passage starts). A passage
of the new document is shared with an earlier one when at least :data:`MIN_PASSAGE_PRINTS` of its
prints, and at least half of them, are prints of that document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from newspipe.dedup.minhash import shingle_hashes
from newspipe.text.normalize import normalise

#: One shingle hash in 2**PRINT_BITS is a print (1 in 8: about 36 prints for 290 words).
PRINT_BITS = 3
#: A passage with fewer prints than this says too little to be called shared.
MIN_PASSAGE_PRINTS = 2
#: A print held by more kept documents than this is boilerplate (a footer, a stock phrase):
#: it is ignored, and no more holders are recorded for it.
MAX_PRINT_HOLDERS = 20

_PASSAGE_END = re.compile(r"[\n.!?؟؛]+")
_MIX = np.uint64(0xD6E8FEB86659FD93)
_SAMPLE_SHIFT = np.uint64(64 - PRINT_BITS)


@dataclass(frozen=True, slots=True)
class Passages:
    """The prints of each passage of a document, and all of them (distinct, in order)."""

    by_passage: tuple[tuple[int, ...], ...]
    prints: tuple[int, ...]


def _sampled(shingles: np.ndarray) -> list[int]:  # type: ignore[type-arg]
    # Mix the bits first: the low bits of a shingle hash are those of its last word's CRC.
    mixed = shingles * _MIX
    chosen = shingles[(mixed >> _SAMPLE_SHIFT) == 0]
    return [int(value) for value in np.unique(chosen).view(np.int64)]


def passages(text: str, shingle_size: int) -> Passages:
    """The prints of ``text`` (the cleaned text, lines as paragraphs), passage by passage."""
    by_passage: list[tuple[int, ...]] = []
    seen: dict[int, None] = {}
    for passage in _PASSAGE_END.split(text):
        shingles = shingle_hashes(normalise(passage), shingle_size)
        if shingles.size == 0:
            continue
        prints = _sampled(shingles)
        if prints:
            by_passage.append(tuple(prints))
            seen.update(dict.fromkeys(prints))
    return Passages(tuple(by_passage), tuple(seen))


def shared_passages(doc: Passages, holders: dict[int, list[str]]) -> dict[str, int]:
    """For each earlier document holding prints of ``doc``: how many of ``doc``'s passages it shares.

    ``holders`` maps a print to the documents holding it (boilerplate prints, held by more than
    :data:`MAX_PRINT_HOLDERS` documents, are ignored).
    """
    useful = {p: ids for p, ids in holders.items() if len(ids) <= MAX_PRINT_HOLDERS}
    shared: dict[str, int] = {}
    for prints in doc.by_passage:
        if len(prints) < MIN_PASSAGE_PRINTS:
            continue
        counts: dict[str, int] = {}
        for value in prints:
            for doc_id in useful.get(value, ()):
                counts[doc_id] = counts.get(doc_id, 0) + 1
        for doc_id, count in counts.items():
            if count >= MIN_PASSAGE_PRINTS and 2 * count >= len(prints):
                shared[doc_id] = shared.get(doc_id, 0) + 1
    return shared
