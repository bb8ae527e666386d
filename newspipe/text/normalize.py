"""The normalised form: never written out, used to decide which texts are the same."""

from __future__ import annotations

import re

from pyarabic import araby

#: The name of the folding rules below; stored with the state so that a state built with other
#: rules is never silently compared against.
NORM_PROFILE = "ar-norm-0"

_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ة": "ه",
        "ؤ": "و",
        "ئ": "ي",
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
    }
)
_NOT_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Fold letter variants and digits, drop diacritics and punctuation, lowercase, one space."""
    folded = araby.strip_tashkeel(text).replace(araby.TATWEEL, "").translate(_FOLD).lower()
    return _NOT_WORD.sub(" ", folded).strip()
