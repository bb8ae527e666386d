"""Cleaning: what every downstream reader sees as ``text``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyarabic import araby

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# pyarabic's TASHKEEL lacks the superscript alef (U+0670), which news text carries too.
_DIACRITICS = frozenset(araby.TASHKEEL) | {"\u0670"}
_STRIP_TABLE = {ord(c): None for c in (*_DIACRITICS, araby.TATWEEL)}


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The cleaned text and what cleaning removed from it."""

    text: str
    diacritics_removed: int


def clean_text(raw: str, *, keep_diacritics: bool = False) -> Cleaned:
    """Remove diacritics and tatweel, fold spaces, drop empty lines; paragraphs stay lines."""
    table = {ord(araby.TATWEEL): None} if keep_diacritics else _STRIP_TABLE
    stripped = raw.translate(table)
    removed = len(raw) - len(stripped)
    lines = (_SPACES.sub(" ", line).strip() for line in stripped.splitlines())
    return Cleaned("\n".join(line for line in lines if line), removed)
