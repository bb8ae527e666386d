"""Character classes of Arabic text, shared by cleaning and normalisation.

Everything here is a plain table built once at import, so that cleaning and normalisation are
``str.translate`` and compiled-regex passes, not per-character Python code.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Iterable

from pyarabic import araby


def _chars(*spans: tuple[int, int]) -> frozenset[str]:
    return frozenset(chr(c) for first, last in spans for c in range(first, last + 1))


def char_class(chars: Iterable[str]) -> str:
    """The body of a regex character class matching exactly ``chars`` (ranges merged)."""
    codes = sorted({ord(c) for c in chars})
    parts: list[str] = []
    start = prev = -2
    for code in [*codes, -1]:
        if code == prev + 1:
            prev = code
            continue
        if start >= 0:
            parts.append(f"\\U{start:08x}" if start == prev else f"\\U{start:08x}-\\U{prev:08x}")
        start = prev = code
    return "".join(parts)


TATWEEL = araby.TATWEEL

#: Marks removed from ``text`` unless diacritics are kept: pyarabic's tashkeel (fathatan to
#: sukun), the other Arabic combining marks (maddah, hamza above and below, subscript alef...),
#: the superscript alef U+0670, the small honorific marks U+0610-U+061A, the Quranic annotation
#: marks U+06D6-U+06ED (the whole block, including the end-of-ayah and sajdah signs) and the
#: Quranic marks of Arabic Extended-A.
DIACRITICS: frozenset[str] = frozenset(araby.TASHKEEL) | _chars(
    (0x0610, 0x061A),
    (0x064B, 0x065F),
    (0x0670, 0x0670),
    (0x06D6, 0x06ED),
    (0x08D3, 0x08E1),
    (0x08E3, 0x08FF),
)

#: Invisible format and control characters removed from ``text``: soft hyphen, Arabic letter
#: mark, Mongolian vowel separator, zero-width space/joiners and directional marks, bidi
#: embeddings, overrides and isolates, word joiner and invisible operators, deprecated format
#: characters, byte-order mark / zero-width no-break space, interlinear annotation marks, and C0/C1
#: control characters other than tab and the line and paragraph separators.
INVISIBLE: frozenset[str] = _chars(
    (0x0000, 0x0008),
    (0x000E, 0x001B),
    (0x007F, 0x0084),
    (0x0086, 0x009F),
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
)

#: Every white-space character (``str.isspace``): all are below U+3001.
WHITE_SPACE: frozenset[str] = frozenset(c for c in map(chr, range(0x3001)) if c.isspace())

#: The Arabic presentation-form blocks (U+FB50-U+FDFF and U+FE70-U+FEFF).
PRESENTATION_BLOCKS: frozenset[str] = _chars((0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


def _presentation_map() -> dict[str, str]:
    """Each presentation form that has a compatibility decomposition, mapped to its letters.

    Letter forms (initial, medial, final, isolated) become their letter; the lam-alef ligatures
    become the two letters lam and alef; the word ligatures U+FDF0-U+FDFB become their words as
    NFKC writes them (U+FDF2 is "الله", U+FDFA is "صلى الله عليه وسلم"); the isolated and tatweel
    forms of marks (U+FE70-U+FE7F, U+FC5E-U+FC63) become the bare marks (NFKC's leading space or
    tatweel dropped). Forms without a decomposition (U+FD3E/U+FD3F ornate parentheses, U+FDFD
    bismillah and the honorific signs, U+FBB2-U+FBC2 symbols) are symbols and stay as written.
    """
    mapping: dict[str, str] = {}
    for char in sorted(PRESENTATION_BLOCKS - INVISIBLE):
        letters = unicodedata.normalize("NFKC", char)
        if letters == char:
            continue
        if all(c in DIACRITICS or c in " " + TATWEEL for c in letters):
            letters = "".join(c for c in letters if c in DIACRITICS)
        mapping[char] = letters
    return mapping


#: Presentation form -> the letters (or marks) it stands for.
PRESENTATION: dict[str, str] = _presentation_map()

#: Decomposed hamza and maddah marks: where they follow a letter that has a precomposed form
#: (alef + U+0654 is أ), NFC writes that letter.
COMPOSING_MARKS: frozenset[str] = _chars((0x0653, 0x0655))


def is_arabic_letter(char: str) -> bool:
    """True for the Arabic letters (not marks, digits, tatweel or punctuation) of any block."""
    return unicodedata.category(char) == "Lo" and "ARABIC" in unicodedata.name(char, "")


# -- the one-byte fast path ----------------------------------------------------------------------
# str.translate looks every character up through a Python object (about 40 MB/s on Arabic text).
# Most news text is written with fewer than 256 distinct characters, though: such a text is
# encoded one byte a character with a charmap codec (C speed), transformed with bytes.translate and
# bytes regexes (C speed), and decoded back. A text with any other character takes the str path,
# which gives the same result (tests check both on the same inputs).

_FAST_CHARS = (
    [chr(c) for c in range(0x80)]  # ASCII, controls included
    + list("،؛؟")
    + [chr(c) for c in range(0x0621, 0x063B)]  # hamza .. ghain
    + [chr(c) for c in range(0x0640, 0x0653)]  # tatweel, feh .. yeh, tashkeel
    + [chr(c) for c in range(0x0660, 0x066E)]  # Arabic-Indic digits, ٪ ٫ ٬ ٭
    + list("\u0670\u0671پچژڤکگی")
    + [chr(c) for c in range(0x06F0, 0x06FA)]  # Persian digits
    + list("\x85\xa0\u2028\u2029\u202f\u205f\u3000")  # other spaces and line breaks
    + list("\xad\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e")
    + list("\u2066\u2067\u2068\u2069\ufeff")
    + list("«»×·°–—‘’“”•…′″●")
    + list("éèàçôêî")  # fill up to 256 with letters found in names
)
if len(_FAST_CHARS) != 256 or len(set(_FAST_CHARS)) != 256:
    raise RuntimeError(f"the fast alphabet needs 256 distinct characters: {len(set(_FAST_CHARS))}")
if set(_FAST_CHARS) & (PRESENTATION.keys() | COMPOSING_MARKS):
    raise RuntimeError("presentation forms and composing marks need the str path")

#: The 256 characters of the fast path; byte ``i`` stands for ``FAST_ALPHABET[i]``.
FAST_ALPHABET = "".join(_FAST_CHARS)
_FAST_ENCODING = codecs.charmap_build(FAST_ALPHABET)
FAST_CODE: dict[str, int] = {char: code for code, char in enumerate(FAST_ALPHABET)}


#: The two texts last encoded or decoded here, with their bytes. A text is often encoded by two
#: steps in a row (a file's text by the reader's checks; the text clean decodes, by normalise
#: next): each of those is encoded once. Clean meets the reader's text only after the rest of the
#: batch (a worker runs each stage over a whole batch) and encodes it again: keeping a batch's
#: texts here instead was measured no faster. A tuple replaced whole, so that a thread reading it
#: never sees half an update.
_recent: tuple[tuple[str, bytes | None], ...] = ()


def fast_encode(text: str) -> bytes | None:
    """``text`` one byte a character, or None when it has a character outside the alphabet."""
    recent = _recent
    for known, known_codes in recent:
        if known is text:
            return known_codes
    try:
        codes: bytes | None = codecs.charmap_encode(text, "strict", _FAST_ENCODING)[0]
    except UnicodeEncodeError:
        codes = None
    _remember(text, codes, recent)
    return codes


def fast_decode(codes: bytes) -> str:
    text: str = codecs.charmap_decode(codes, "strict", FAST_ALPHABET)[0]
    _remember(text, codes, _recent)
    return text


def _remember(text: str, codes: bytes | None, recent: tuple[tuple[str, bytes | None], ...]) -> None:
    global _recent
    _recent = ((text, codes), *recent[:1])


def fast_codes(chars: Iterable[str]) -> bytes:
    """The bytes standing for those of ``chars`` that are in the alphabet."""
    return bytes(sorted(FAST_CODE[c] for c in set(chars) if c in FAST_CODE))
