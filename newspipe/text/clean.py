"""Cleaning: what every downstream reader sees as ``text``.

``clean_text`` removes what is not the article's writing and keeps its letters as written:

- Arabic presentation forms (U+FB50-U+FDFF, U+FE70-U+FEFF, from PDFs and legacy pipelines) are
  mapped back to the letters they draw (see :data:`newspipe.text.chars.PRESENTATION`: a lam-alef
  ligature becomes lam and alef, a word ligature such as U+FDF2 becomes its word);
- decomposed hamza and maddah (alef + U+0654) are composed (NFC) into the letter (أ);
- invisible controls (zero-width and bidi marks, embeddings and isolates, BOM, soft hyphen...)
  are removed; diacritics (pyarabic's tashkeel, the superscript alef, Quranic marks) unless
  ``keep_diacritics``; tatweel always;
- every run of white space (NBSP and the other Unicode spaces too) becomes one space, lines are
  stripped, blank lines dropped; each remaining line is a paragraph;
- lines that are page residue in full (share buttons, a lone "×", "اقرأ أيضا" links, photo
  credits...: :mod:`newspipe.text.residue`) are removed.

Letters are never folded here (no alef, yaa or taa marbuta folding): that is :mod:`normalize`.
Both are pure module-level functions, so they can run in a process pool.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from newspipe.text.chars import (
    COMPOSING_MARKS,
    DIACRITICS,
    FAST_CODE,
    INVISIBLE,
    PRESENTATION,
    TATWEEL,
    WHITE_SPACE,
    char_class,
    fast_codes,
    fast_decode,
    fast_encode,
)
from newspipe.text.residue import DEFAULT_PATTERN

# What str.splitlines() breaks lines at; the other white space becomes a space.
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")

# -- str path -------------------------------------------------------------------------------------
_UNUSUAL = re.compile(f"[{char_class(INVISIBLE | PRESENTATION.keys() | COMPOSING_MARKS)}]")
_INVISIBLE = re.compile(f"[{char_class(INVISIBLE)}]")
_PRESENTATION = re.compile(f"[{char_class(PRESENTATION.keys())}]")
_COMPOSING = re.compile(f"[{char_class(COMPOSING_MARKS)}]")
_UNUSUAL_TABLE = str.maketrans({**dict.fromkeys(INVISIBLE), **PRESENTATION})
_DIACRITICS = re.compile(f"[{char_class(DIACRITICS)}]+")
_ODD_SPACE = re.compile(f"[{char_class(WHITE_SPACE - {' ', chr(10)})}]")
# Patterns that begin with a literal, so that the regex engine skips ahead to candidates.
_SPACE_RUN = re.compile(r"  +")
_BREAK_RUN = re.compile(r"\n[ \n]+")

# -- byte path (see newspipe.text.chars) ---------------------------------------------------------
_B_DIACRITICS = fast_codes(DIACRITICS)
_B_TATWEEL = fast_codes(TATWEEL)
_B_INVISIBLE = fast_codes(INVISIBLE)
_B_SPACES = bytes(
    (10 if char in LINE_BREAKS else 32) if char in WHITE_SPACE else code
    for char, code in sorted(FAST_CODE.items(), key=lambda item: item[1])
)
_B_SPACE_RUN = re.compile(rb"  +")
_B_BREAK_RUN = re.compile(rb"\n[ \n]+")


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The cleaned text and what cleaning removed from it."""

    text: str
    #: Diacritic marks removed (0 when they are kept).
    diacritics_removed: int = 0
    tatweel_removed: int = 0
    #: Invisible format and control characters removed.
    controls_removed: int = 0
    #: Presentation-form characters mapped back to letters.
    presentation_forms: int = 0
    #: The residue lines removed, cleaned, in their order in the input.
    residue: tuple[str, ...] = ()

    @property
    def residue_lines_removed(self) -> int:
        return len(self.residue)


def clean_text(
    raw: str,
    *,
    keep_diacritics: bool = False,
    residue: re.Pattern[str] | None = DEFAULT_PATTERN,
) -> Cleaned:
    """Clean ``raw`` (see the module docstring); ``residue`` matches whole residue lines."""
    codes = fast_encode(raw)
    if codes is None:
        text, *counts = _clean_chars(raw, keep_diacritics)
    else:
        text, *counts = _clean_bytes(codes, keep_diacritics)
    removed: tuple[str, ...] = ()
    if residue is not None and text:
        lines = text.split("\n")
        fullmatch = residue.fullmatch
        if keep_diacritics:
            hits = [i for i, line in enumerate(lines) if fullmatch(_DIACRITICS.sub("", line))]
        else:
            hits = [i for i, line in enumerate(lines) if fullmatch(line)]
        if hits:
            removed = tuple(lines[i] for i in hits)
            drop = set(hits)
            text = "\n".join(line for i, line in enumerate(lines) if i not in drop)
    diacritics, tatweel, controls, forms = counts
    return Cleaned(text, diacritics, tatweel, controls, forms, removed)


def _clean_bytes(codes: bytes, keep_diacritics: bool) -> tuple[str, int, int, int, int]:
    """Cleaning of a text in the one-byte alphabet: (text, diacritics, tatweel, controls, 0)."""
    diacritics = 0
    if not keep_diacritics:
        size = len(codes)
        codes = codes.translate(None, _B_DIACRITICS)
        diacritics = size - len(codes)
    size = len(codes)
    codes = codes.translate(None, _B_TATWEEL)
    tatweel = size - len(codes)
    size = len(codes)
    codes = codes.translate(_B_SPACES, _B_INVISIBLE)
    controls = size - len(codes)
    if b"  " in codes:
        codes = _B_SPACE_RUN.sub(b" ", codes)
    if b" \n" in codes:
        codes = codes.replace(b" \n", b"\n")
    codes = _B_BREAK_RUN.sub(b"\n", codes)
    return fast_decode(codes.strip(b" \n")), diacritics, tatweel, controls, 0


def _clean_chars(text: str, keep_diacritics: bool) -> tuple[str, int, int, int, int]:
    """The same as :func:`_clean_bytes` for any text, presentation forms included."""
    controls = forms = 0
    if _UNUSUAL.search(text):
        controls = len(_INVISIBLE.findall(text))
        forms = len(_PRESENTATION.findall(text))
        text = text.translate(_UNUSUAL_TABLE)
        if _COMPOSING.search(text):
            text = unicodedata.normalize("NFC", text)
    diacritics = 0
    if not keep_diacritics:
        stripped = _DIACRITICS.sub("", text)
        diacritics = len(text) - len(stripped)
        text = stripped
    tatweel = text.count(TATWEEL)
    if tatweel:
        text = text.replace(TATWEEL, "")
    if _ODD_SPACE.search(text):
        text = "\n".join(" ".join(line.split()) for line in text.splitlines())
    else:
        if "  " in text:
            text = _SPACE_RUN.sub(" ", text)
        if " \n" in text:
            text = text.replace(" \n", "\n")
    if "\n\n" in text or "\n " in text:
        text = _BREAK_RUN.sub("\n", text)
    return text.strip(" \n"), diacritics, tatweel, controls, forms
