"""Shared passages: documents that are not copies but carry the same paragraphs or sentences.

Wire stories are rewritten by each outlet: the same paragraph comes back with a word changed, a
sentence cut or two paragraphs joined, and one outlet breaks lines where another writes one long
paragraph (seed articles 000 and 001). So a passage is a sentence (the text split at line ends and
at ``. ! ? ؟ ؛``) of at least :data:`MIN_PASSAGE_WORDS` words, and passages are compared fuzzily:
each one is summarised by its :data:`PRINTS_PER_PASSAGE` *prints*, the smallest of its word-shingle
hashes after mixing (a tiny MinHash of the passage: two versions of a sentence share their
smallest print with probability equal to their Jaccard similarity). A passage of a new document is
shared with an earlier document when one of its prints is a print of that document, and the two
documents overlap when they share :data:`MIN_SHARED_PASSAGES` passages or more.
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

#: A passage shorter than this (a heading, a dateline, a byline) says too little to be shared.
MIN_PASSAGE_WORDS = 8
#: Prints kept per passage (about 20 for an article of 290 words in 11 passages).
PRINTS_PER_PASSAGE = 2
#: Documents sharing fewer passages than this are not linked: one passage in common is most often
#: a stock phrase (a title, a formula), two or more are shared content (measured on SaudiNewsNet).
MIN_SHARED_PASSAGES = 2
#: A print held by more kept documents than this is boilerplate (a footer, a stock phrase):
#: it is ignored, and no more holders are recorded for it.
MAX_PRINT_HOLDERS = 20

_PASSAGE_END = re.compile(r"[\n.!?؟؛]+")
_NOT_WORD = re.compile(r"[\W_]+")
_WORD = re.compile(r"[^\W_]+")
_MIX = np.uint64(0xD6E8FEB86659FD93)


def _fold_table() -> dict[int, str]:
    """What :func:`normalise` does to single Arabic letters, marks and digits, as one table.

    Used only when a passage's words cannot be found among the document's normalised words
    (a text that kept its diacritics): derived from ``normalise``, so the two agree.
    Punctuation is left alone: it marks where passages end.
    """
    table: dict[int, str] = {}
    for code in (*range(0x0600, 0x0700), *range(0x08D3, 0x0900)):
        char = chr(code)
        if unicodedata.category(char) in {"Mn", "Lm", "Lo", "Nd"} and normalise(char) != char:
            table[code] = normalise(char)
    return table


_FOLD_TABLE = _fold_table()


@dataclass(frozen=True, slots=True)
class Passages:
    """A document's prints, and the passage (numbered from 0) each print summarises."""

    prints: tuple[int, ...] = ()
    passage_of: tuple[int, ...] = ()


def _prints(shingles: NDArray[np.uint64], owners: NDArray[np.int64]) -> Passages:
    """The smallest mixed shingle hashes of each passage (``owners``: the passage of each)."""
    mixed = shingles * _MIX  # wraps around modulo 2**64, on purpose
    order = np.lexsort((mixed, owners))
    owners, mixed = owners[order], mixed[order]
    rank = np.arange(owners.size) - np.searchsorted(owners, owners, side="left")
    chosen = rank < PRINTS_PER_PASSAGE
    return Passages(tuple(mixed[chosen].view(np.int64).tolist()), tuple(owners[chosen].tolist()))


def passages(
    text: str,
    shingle_size: int,
    word_hashes: NDArray[np.uint64] | None = None,
    shingles: NDArray[np.uint64] | None = None,
) -> Passages:
    """The prints of ``text`` (the cleaned text, lines as paragraphs), passage by passage.

    ``word_hashes`` and ``shingles``, those of the whole normalised text, save hashing again;
    they are used when the passages hold exactly as many words (always, unless the text kept its
    diacritics), else the passages are folded and hashed one by one.
    """
    size = max(shingle_size, 1)
    pieces = _PASSAGE_END.split(text)
    if word_hashes is not None:
        # Folding letters never moves word boundaries: count the words on the text as it is.
        counts = np.fromiter((len(_WORD.findall(piece)) for piece in pieces), np.int64, len(pieces))
        if int(counts.sum()) == word_hashes.size:
            if shingles is None:
                shingles = shingles_of(word_hashes, size)
            ends = np.cumsum(counts)
            starts = np.arange(shingles.size)  # shingle i covers words i .. i+size-1
            owners = np.searchsorted(ends, starts, side="right")
            keep = (starts + size <= ends[owners]) & (counts[owners] >= MIN_PASSAGE_WORDS)
            return _prints(shingles[keep], owners[keep])
    folded = text.translate(_FOLD_TABLE).lower()
    parts, owner_parts = [], []
    for number, piece in enumerate(_PASSAGE_END.split(folded)):
        words = _NOT_WORD.sub(" ", piece).split()
        if len(words) >= MIN_PASSAGE_WORDS:
            piece_shingles = shingle_hashes(" ".join(words), size)
            parts.append(piece_shingles)
            owner_parts.append(np.full(piece_shingles.size, number, dtype=np.int64))
    if not parts:
        return Passages()
    return _prints(np.concatenate(parts), np.concatenate(owner_parts))


def shared_passages(doc: Passages, holders: dict[int, list[str]]) -> dict[str, int]:
    """The earlier documents sharing passages with ``doc``, with how many of its passages they hold.

    ``holders`` maps a print to the documents holding it; boilerplate prints (held by more than
    :data:`MAX_PRINT_HOLDERS` documents) are ignored.
    """
    pairs: set[tuple[str, int]] = set()
    for value, passage in zip(doc.prints, doc.passage_of, strict=True):
        ids = holders.get(value)
        if ids and len(ids) <= MAX_PRINT_HOLDERS:
            pairs.update((doc_id, passage) for doc_id in ids)
    shared: dict[str, int] = {}
    for doc_id, _ in pairs:
        shared[doc_id] = shared.get(doc_id, 0) + 1
    return {doc_id: count for doc_id, count in shared.items() if count >= MIN_SHARED_PASSAGES}
