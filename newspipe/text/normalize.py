"""The normalised form: never written out, used to decide which texts are the same.

Profile ``ar-norm-1`` (what a text's normalised form is; any change to these rules is a new
profile, because hashes and shingles in a state made with other rules would not compare):

1. removed: Arabic diacritics, Quranic marks and tatweel (:data:`newspipe.text.chars.DIACRITICS`),
   every format character (Unicode category Cf: zero-width, bidi, BOM...) and control character;
2. presentation forms become their letters (as in cleaning: lam-alef ligature -> لا);
3. letters folded: alef variants (أ إ آ ٱ ٲ ٳ ٵ) -> ا; alef maqsura ى and Farsi yeh ی -> ي; taa
   marbuta ة, ae ە and heh with yeh above ۀ -> ه; hamza carriers ؤ ٶ -> و, ئ ٸ -> ي (and every
   other letter whose canonical decomposition is a letter plus hamza or maddah, to that letter);
   keheh ک -> ك;
4. Eastern Arabic (٠-٩) and Persian (۰-۹) digits -> ASCII digits;
5. lowercase (``str.lower``);
6. punctuation, symbols and white space -> one space between words, none at the ends; letters,
   digits and non-Arabic combining marks stay.

A text and the same text with diacritics, tatweel, presentation forms, controls, the letter
variants above or extra spaces added has the same normalised form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from newspipe.text.chars import (
    DIACRITICS,
    FAST_ALPHABET,
    FAST_CODE,
    INVISIBLE,
    PRESENTATION,
    TATWEEL,
    fast_decode,
    fast_encode,
)

#: The name of the rules above; stored with the state so that a state built with other rules is
#: never silently compared against.
NORM_PROFILE = "ar-norm-1"

FOLDS: dict[str, str] = {
    **dict.fromkeys("ٱٲٳٵ", "ا"),
    **dict.fromkeys("ىیٸ", "ي"),
    **dict.fromkeys("ةۀە", "ه"),
    "ٶ": "و",
    "ک": "ك",
    **{chr(0x0660 + i): str(i) for i in range(10)},
    **{chr(0x06F0 + i): str(i) for i in range(10)},
}


def _hamza_folds() -> dict[str, str]:
    """A letter written with a hamza or maddah mark folds to the letter without it (أ إ آ -> ا,
    ؤ -> و, ئ -> ي, ...): the same as its decomposed spelling, whose mark is removed."""
    folds = {}
    for code in range(0x0600, 0x0700):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and 0x0653 <= int(parts[1], 16) <= 0x0655:
            base = chr(int(parts[0], 16))
            folds[chr(code)] = FOLDS.get(base, base)
    return folds


FOLDS.update(_hamza_folds())
_REMOVED = DIACRITICS | INVISIBLE | {TATWEEL}


def _fold_char(char: str) -> str:
    """What one character becomes in the normalised form (several characters, one or none)."""
    if char in _REMOVED:
        return ""
    if char in PRESENTATION:
        return "".join(_fold_char(c) for c in PRESENTATION[char])
    if char in FOLDS:
        return FOLDS[char]
    category = unicodedata.category(char)
    if category in ("Cf", "Cc") and not char.isspace():
        return ""
    if category[0] in "LNM" or category in ("Co", "Cn", "Cs"):
        return "".join(FOLDS.get(c, c) for c in char.lower())
    return " "  # punctuation, symbols, separators, white space


def _translation(folded: str) -> int | str | None:
    # Integers and None are the fastest values for str.translate to apply.
    if not folded:
        return None
    return ord(folded) if len(folded) == 1 else folded


@cache
def _char_table() -> tuple[int | str | None, ...]:
    """``str.translate`` table for the Basic Multilingual Plane, indexed by code point: a tuple is
    about twice as fast to look up as a dict here. Built when first needed (a tenth of a second:
    a run that has nothing to normalise does without it)."""
    return tuple(_translation(_fold_char(chr(code))) for code in range(0x10000))


# Characters above U+FFFF are not in the table (translate leaves them): rare, done one by one.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _fold_astral(match: re.Match[str]) -> str:
    return _fold_char(match.group())


def _byte_tables() -> tuple[bytes, bytes]:
    """``bytes.translate`` table and deletions doing :func:`_fold_char` on the fast alphabet."""
    table = bytearray(range(256))
    delete = bytearray()
    for code, char in enumerate(FAST_ALPHABET):
        folded = _fold_char(char)
        if not folded:
            delete.append(code)
        elif folded.isspace():
            table[code] = 0x20
        elif folded in FAST_CODE:
            table[code] = FAST_CODE[folded]
        else:  # the alphabet is closed under folding; a change that breaks this must fail here
            raise RuntimeError(f"{char!r} folds to {folded!r}, outside the fast alphabet")
    if set(table) - set(delete) & set(b"\t\n\x0b\x0c\r"):
        raise RuntimeError("a folded byte other than 0x20 is ASCII white space")
    return bytes(table), bytes(delete)


_B_TABLE, _B_DELETE = _byte_tables()


def normalise(text: str) -> str:
    """The normalised form of ``text`` under profile :data:`NORM_PROFILE`, on one line."""
    codes = fast_encode(text)
    if codes is not None:
        # Only space (0x20) is ASCII white space among the folded bytes: split() is exact.
        return fast_decode(b" ".join(codes.translate(_B_TABLE, _B_DELETE).split()))
    return _normalise_chars(text)


def _normalise_chars(text: str) -> str:
    """:func:`normalise` for any text (the byte path handles the common alphabet only)."""
    folded = text.translate(_char_table())
    if _ASTRAL.search(folded):
        folded = _ASTRAL.sub(_fold_astral, folded)
    return " ".join(folded.split())
