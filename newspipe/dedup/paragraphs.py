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
import unicodedata
from dataclasses import dataclass

from typing import TYPE_CHECKING

import numpy as np

from newspipe.dedup.minhash import shingle_hashes, shingles_of
from newspipe.text.normalize import normalise

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: One shingle hash in 2**PRINT_BITS is a print (1 in 8: about 36 prints for 290 words).
PRINT_BITS = 3
#: A passage with fewer prints than this says too little to be called shared.
MIN_PASSAGE_PRINTS = 2
#: A print held by more kept documents than this is boilerplate (a footer, a stock phrase):
#: it is ignored, and no more holders are recorded for it.
MAX_PRINT_HOLDERS = 20

_PASSAGE_END = re.compile(r"[\n.!?؟؛]+")
_NOT_WORD = re.compile(r"[\W_]+")
_WORD = re.compile(r"[^\W_]+")


def _fold_table() -> dict[int, str]:
    """What :func:`normalise` does to single Arabic letters, marks and digits, as one table.

    ``normalise`` runs pyarabic's character loop, too slow to run again on every passage; the
    cleaned text is folded with this table instead (derived from ``normalise``, so the two agree).
    Punctuation is left alone: it marks where passages end.
    """
    table: dict[int, str] = {}
    for code in (*range(0x0600, 0x0700), *range(0x08D3, 0x0900)):
        char = chr(code)
        if unicodedata.category(char) in {"Mn", "Lm", "Lo", "Nd"} and normalise(char) != char:
            table[code] = normalise(char)
    return table


_FOLD_TABLE = _fold_table()
_MIX = np.uint64(0xD6E8FEB86659FD93)
_SAMPLE_SHIFT = np.uint64(64 - PRINT_BITS)


@dataclass(frozen=True, slots=True)
class Passages:
    """The prints of each passage of a document, and all of them (distinct, in order)."""

    by_passage: tuple[tuple[int, ...], ...]
    prints: tuple[int, ...]


def _is_print(shingles: NDArray[np.uint64]) -> NDArray[np.bool_]:
    # Mix the bits first: the low bits of a shingle hash are those of its last word's CRC.
    mixed: NDArray[np.uint64] = shingles * _MIX
    return (mixed >> _SAMPLE_SHIFT) == 0


def _collect(values: list[int], owners: list[int]) -> Passages:
    by_passage: dict[int, dict[int, None]] = {}
    for value, owner in zip(values, owners, strict=True):
        by_passage.setdefault(owner, {})[value] = None
    prints = tuple(dict.fromkeys(values))
    return Passages(tuple(tuple(group) for group in by_passage.values()), prints)


def passages(
    text: str,
    shingle_size: int,
    word_hashes: NDArray[np.uint64] | None = None,
    shingles: NDArray[np.uint64] | None = None,
) -> Passages:
    """The prints of ``text`` (the cleaned text, lines as paragraphs), passage by passage.

    ``word_hashes`` and ``shingles``, those of the whole normalised text, save hashing again;
    they are used only when the passages hold exactly as many words (they always do unless the
    text still carries diacritics), else the passages are folded and hashed one by one.
    """
    pieces = _PASSAGE_END.split(text)
    if word_hashes is not None:
        # Folding letters never changes where words start and end: count them on the text as is.
        counts = np.fromiter((len(_WORD.findall(piece)) for piece in pieces), np.int64, len(pieces))
        if int(counts.sum()) == word_hashes.size:
            if shingles is None:
                shingles = shingles_of(word_hashes, shingle_size)
            ends = np.cumsum(counts)
            # Shingle i covers words i .. i+size-1: keep the prints lying inside one passage.
            starts = np.flatnonzero(_is_print(shingles))
            owner = np.searchsorted(ends, starts, side="right")
            inside = starts + shingle_size <= ends[owner]
            values = shingles[starts[inside]].view(np.int64).tolist()
            return _collect(values, owner[inside].tolist())
    folded = text.translate(_FOLD_TABLE).lower()
    values, owners = [], []
    for number, piece in enumerate(_PASSAGE_END.split(folded)):
        piece_shingles = shingle_hashes(_NOT_WORD.sub(" ", piece), shingle_size)
        chosen = piece_shingles[_is_print(piece_shingles)].view(np.int64).tolist()
        values.extend(chosen)
        owners.extend([number] * len(chosen))
    return _collect(values, owners)


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
