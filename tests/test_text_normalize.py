"""The normalised form (``newspipe.text.normalize``, profile ar-norm-1): examples, properties."""

from __future__ import annotations

import codecs
import pickle
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from pyarabic import araby

from newspipe.text.chars import FAST_ALPHABET, fast_decode, fast_encode
from newspipe.text.clean import clean_text
from newspipe.text.normalize import NORM_PROFILE, _normalise_chars, normalise

# -- what a text may be written with, and still be the same text (from the issue) ----------------
BASE_LETTERS = [chr(c) for c in range(0x0621, 0x064B) if chr(c) not in "أإآؤئىةـ"]
VARIANTS = {
    "ا": ["أ", "إ", "آ", "ٱ", "ا\u0654", "ا\u0655", "ا\u0653"],
    "ي": ["ى", "ی", "ئ", "ي\u0654"],
    "ه": ["ة"],
    "و": ["ؤ", "و\u0654"],
    "ك": ["ک"],
}
DIGITS = {str(i): [chr(0x0660 + i), chr(0x06F0 + i)] for i in range(10)}
DIACRITICS = sorted(
    set(araby.TASHKEEL) | {chr(c) for c in [0x0670, *range(0x0610, 0x061B), *range(0x06D6, 0x06EE)]}
)
CONTROLS = [
    chr(c)
    for c in [*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF, 0xAD]
]
SPACES = [" ", "  ", "\n", "\n\n", "\t", "\u00a0", "\u2003", "\r\n", " \u200f "]
# Presentation forms: every form whose compatibility decomposition is one letter (or lam-alef).
FORMS: dict[str, list[str]] = {}
for _code in [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)]:
    _letters = unicodedata.normalize("NFKC", chr(_code))
    if _letters != chr(_code) and (len(_letters) == 1 or _letters in ("لا", "لأ", "لإ", "لآ")):
        FORMS.setdefault(_letters, []).append(chr(_code))

words = st.lists(
    st.text(alphabet=[*BASE_LETTERS, *"0123456789abcxyz"], min_size=1, max_size=7),
    min_size=1,
    max_size=12,
)
separators = st.sampled_from([" ", "، ", ". ", " - ", "\n", " «", "» ", "! ", "؟ "])


@st.composite
def text_and_variant(draw: st.DrawFn) -> tuple[str, str]:
    """A text of plain letters, and the same text written with every kind of variation."""
    parts = draw(words)
    seps = [draw(separators) for _ in parts]
    plain = "".join(w + s for w, s in zip(parts, seps, strict=True))

    written: list[str] = []
    for word in parts:
        out = ""
        i = 0
        while i < len(word):
            char = word[i]
            pair = word[i : i + 2]
            if pair == "لا" and draw(st.booleans()):
                out += draw(st.sampled_from(FORMS["لا"] + FORMS["لأ"] + ["لأ", "لإ"]))
                i += 2
                continue
            choice = draw(st.integers(0, 5))
            if choice == 1 and char in VARIANTS:
                char = draw(st.sampled_from(VARIANTS[char]))
            elif choice == 2 and char in FORMS:
                char = draw(st.sampled_from(FORMS[char]))
            elif choice == 3 and char in DIGITS:
                char = draw(st.sampled_from(DIGITS[char]))
            elif choice == 4:
                char = char.upper()
            out += char
            for _ in range(draw(st.integers(0, 2))):
                out += draw(st.sampled_from([*DIACRITICS, araby.TATWEEL, *CONTROLS]))
            i += 1
        written.append(out)
    spaced = [s if s.strip() else draw(st.sampled_from(SPACES)) for s in seps]
    variant = draw(st.sampled_from(SPACES)) + "".join(
        w + s for w, s in zip(written, spaced, strict=True)
    )
    return plain, variant


# -- examples ------------------------------------------------------------------------------------
def test_profile_is_named_and_versioned() -> None:
    assert NORM_PROFILE == "ar-norm-1"


def test_folds_letters_digits_punctuation_case() -> None:
    text = "«أحمد» إلى مدرسةٍ، في القرى: آمال ومسؤولية وهيئة ٢٠١٦ ۱۲ Hello, World!"
    assert normalise(text) == "احمد الي مدرسه في القري امال ومسووليه وهييه 2016 12 hello world"


def test_presentation_forms_and_controls() -> None:
    assert normalise("ﻻ إله\u200f إلا ﷲ\ufeff") == "لا اله الا الله"


def test_one_line_single_spaces() -> None:
    assert normalise("  سطر\n\nسطر\u00a0 آخر  ") == "سطر سطر اخر"
    assert normalise("") == ""
    assert normalise(" ... ، ") == ""


def test_other_scripts_keep_their_letters() -> None:
    assert normalise("Café 北京 Ελλάδα") == "café 北京 ελλάδα"
    assert normalise("emoji 😀 here 𝔸") == "emoji here 𝔸"


def test_seed_texts_equal_after_normalisation() -> None:
    assert normalise("أعرب وزير الخارجية “جون كيري”") == normalise("اعرب وزير الخارجيه «جون كيري»")


def test_normalise_pickles() -> None:
    assert pickle.loads(pickle.dumps(normalise))("أ") == "ا"


# -- properties ----------------------------------------------------------------------------------
@settings(max_examples=500, deadline=None)
@given(text_and_variant())
def test_variants_have_the_same_normalised_form(pair: tuple[str, str]) -> None:
    plain, variant = pair
    assert normalise(variant) == normalise(plain)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert "  " not in once and once == once.strip() and "\n" not in once


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_cleaning_does_not_change_the_normalised_form(text: str) -> None:
    assert normalise(clean_text(text, residue=None).text) == normalise(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=FAST_ALPHABET, max_size=80))
def test_byte_path_and_str_path_agree(text: str) -> None:
    assert normalise(text) == _normalise_chars(text)


def _encoded_anew(text: str) -> bytes | None:
    try:
        return codecs.charmap_encode(text, "strict", codecs.charmap_build(FAST_ALPHABET))[0]
    except UnicodeEncodeError:
        return None


def test_fast_encode_reuses_the_bytes_of_the_last_two_texts() -> None:
    first, second, third = "قال الوزير", "ذهب الولد", "وصل القطار"
    codes = fast_encode(first)
    assert codes is not None and fast_encode(first) is codes  # the same text: not encoded again
    fast_encode(second)
    assert fast_encode(first) is codes  # two are remembered
    fast_encode(second), fast_encode(third)
    assert fast_encode(first) == codes and fast_encode(first) is not codes  # encoded anew
    decoded = fast_decode(codes)
    assert fast_encode(decoded) is codes  # what clean decodes, normalise finds encoded
    assert fast_encode("日本") is None and fast_encode("日本") is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=FAST_ALPHABET[100:140] + "日é ", max_size=12), max_size=6))
def test_fast_encode_answers_as_an_encoding_anew_in_any_order(texts: list[str]) -> None:
    for text in texts + texts[::-1] + [t + "" for t in texts]:
        assert fast_encode(text) == _encoded_anew(text)
