"""Cleaning (``newspipe.text.clean``): examples, residue rules, properties, and the whole corpus.

The properties check the cleaned text against definitions written here from the issue and from
Unicode (pyarabic's tashkeel, ``unicodedata``), not against the module's own tables.
"""

from __future__ import annotations

import json
import pickle
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyarabic import araby

from newspipe.text.chars import FAST_ALPHABET, fast_encode
from newspipe.text.clean import _clean_bytes, _clean_chars, clean_text
from newspipe.text.residue import (
    BUILTIN_RULES,
    DEFAULT_PATTERN,
    ResidueRules,
    ResidueSettingError,
    parse_rules,
)

# -- the removed classes, as the issue names them -------------------------------------------------
TASHKEEL = set(araby.TASHKEEL) | {"\u0670"}
QURANIC = {chr(c) for c in [*range(0x0610, 0x061B), *range(0x06D6, 0x06EE)]}
CONTROLS = {
    chr(c)
    for c in [
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        0xFEFF,
        0x00AD,
    ]
}
PRESENTATION = {
    chr(c)
    for c in [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)]
    if unicodedata.normalize("NFKC", chr(c)) != chr(c)
}
ODD_SPACES = {c for c in map(chr, range(0x3001)) if c.isspace()} - {" ", "\n"}


def _is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc" and not char.isspace()


REMOVED = TASHKEEL | QURANIC | CONTROLS | PRESENTATION | ODD_SPACES | {araby.TATWEEL}


ARABIC_LETTERS = {
    c
    for c in map(chr, range(0x110000))
    if unicodedata.category(c) == "Lo" and "ARABIC" in unicodedata.name(c, "")
}
_LETTER = re.compile("[" + "".join(sorted(ARABIC_LETTERS)) + "]")
_CONTROL = re.compile(
    "[" + "".join(sorted(CONTROLS | {c for c in map(chr, range(0xA0)) if _is_control(c)})) + "]"
)
_FORM = re.compile("[" + "".join(sorted(PRESENTATION)) + "]")


def arabic_letters(text: str) -> list[str]:
    """The Arabic letters of ``text`` (Unicode: category Lo, name ARABIC ...), in order."""
    return _LETTER.findall(text)


def letters_as_written(raw: str) -> list[str]:
    """What cleaning must keep of ``raw``: its letters once the invisible controls are gone and
    each presentation form is read as the letters of its compatibility decomposition (NFKC),
    letters with a decomposed hamza or maddah read composed (NFC)."""
    visible = _CONTROL.sub("", raw)
    read = _FORM.sub(lambda m: unicodedata.normalize("NFKC", m.group()), visible)
    return arabic_letters(unicodedata.normalize("NFC", read))


def is_subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(any(c == d for d in it) for c in small)


# -- strategies -----------------------------------------------------------------------------------
ARABIC = [chr(c) for c in range(0x0621, 0x064B) if c != 0x0640] + list("پچژکگی")
arabic_words = st.text(alphabet=ARABIC, min_size=1, max_size=8)
noise = st.sampled_from(sorted(REMOVED | {"\u0654", "\u0653", "\u0655", " ", "\n", "\r\n"}))
# Mixed text: Arabic words, the removed classes, punctuation, Latin, anything else Unicode has.
mixed_text = st.lists(
    st.one_of(
        arabic_words,
        noise,
        st.sampled_from(["،", ".", "«", "»", "×", "مشاركة :", "ﻻ", "ﷲ", "ﷺ", "\ufe70", "2016"]),
        st.text(max_size=4),
    ),
    max_size=40,
).map("".join)


# -- examples -------------------------------------------------------------------------------------
def test_diacritics_tatweel_and_controls_are_removed_letters_kept() -> None:
    cleaned = clean_text("\u200fمُحَمَّدٌ\u00a0قـــال\u200b: «الأُمَّةُ»\ufeff")
    assert cleaned.text == "محمد قال: «الأمة»"
    assert cleaned.diacritics_removed == 9
    assert cleaned.tatweel_removed == 3
    assert cleaned.controls_removed == 3


def test_letters_are_not_folded() -> None:
    text = "إلى مدرسة أحمد في القرى، آمال ومسؤولية وهيئة"
    assert clean_text(text).text == text


def test_keep_diacritics_keeps_marks_but_not_tatweel_or_controls() -> None:
    cleaned = clean_text("مُحَمَّـدٌ\u200b", keep_diacritics=True)
    assert cleaned.text == "مُحَمَّدٌ"
    assert cleaned.diacritics_removed == 0
    assert cleaned.tatweel_removed == 1


def test_quranic_marks_and_superscript_alef_are_removed() -> None:
    assert clean_text("ذَٰلِكَ الْكِتَابُ لَا رَيْبَ ۛ فِيهِ ۛ هُدًى").text == "ذلك الكتاب لا ريب فيه هدى"
    assert clean_text("محمد ﷺ صلى\u0610").text == "محمد صلى الله عليه وسلم صلى"


def test_presentation_forms_become_letters() -> None:
    cleaned = clean_text("ﺍﻟﺴﻼﻡ ﻋﻠﻴﻜﻢ ﻷﻥ ﷲ")
    assert cleaned.text == "السلام عليكم لأن الله"
    assert cleaned.presentation_forms == 13


def test_isolated_mark_forms_are_marks_and_are_removed() -> None:
    assert clean_text("كتاب\ufe70 كتب\ufe7c").text == "كتاب كتب"
    assert clean_text("كتاب\ufe70", keep_diacritics=True).text == "كتاب\u064b"


def test_decomposed_hamza_is_composed() -> None:
    assert clean_text("ا\u0654حمد و\u0654").text == "أحمد ؤ"


def test_spaces_and_blank_lines_fold_paragraphs_stay() -> None:
    raw = "  الفقرة\u00a0\u00a0الأولى \t\r\n\r\n\u2003\n الفقرة\u2009الثانية  \u2028ثالثة\n\n"
    assert clean_text(raw).text == "الفقرة الأولى\nالفقرة الثانية\nثالثة"


def test_seed_residue_lines_are_removed() -> None:
    raw = "عواصم (وكالات) على وقع مكاسب للمعارضة\nمشاركة :\n\u00a0\n\n×\n"
    cleaned = clean_text(raw)
    assert cleaned.text == "عواصم (وكالات) على وقع مكاسب للمعارضة"
    assert cleaned.residue == ("مشاركة :", "×")
    assert cleaned.residue_lines_removed == 2


def test_without_residue_pattern_every_line_stays() -> None:
    assert clean_text("نص\nمشاركة :\n×", residue=None).text == "نص\nمشاركة :\n×"


def test_nothing_left() -> None:
    assert clean_text(" \u200b\n\u064e ").text == ""
    assert clean_text("").text == ""


# -- residue rules --------------------------------------------------------------------------------
@pytest.mark.parametrize("rule", BUILTIN_RULES, ids=lambda rule: rule.name)
def test_every_builtin_rule_matches_its_example(rule: object) -> None:
    assert DEFAULT_PATTERN is not None
    assert DEFAULT_PATTERN.fullmatch(rule.example)  # type: ignore[attr-defined]
    assert re.fullmatch(rule.pattern, rule.example)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "line",
    [
        "مشاركة :",
        "×",
        "***",
        "* * *",
        "اقرأ أيضاً: واشنطن تطالب بوقف لاطلاق النار",
        "...المزيد",
        "(تصوير: سامي الغامدي)",
        "// انتهى //",
        "635031 - Mobily",
        "للتواصل مع الكاتب ارسل رسالة SMS",
        "tariq@asharqalawsat.com",
        "@T_algashgari",
    ],
)
def test_residue_lines(line: str) -> None:
    assert clean_text(f"نص الخبر\n{line}").residue == (clean_text(line, residue=None).text,)


@pytest.mark.parametrize(
    "line",
    [
        "شارك في العديد من الندوات والمؤتمرات الصحفية",
        "صورة مع التحية: لكل من يهمه الأمر.",
        "وقال إن المشاركة في المحادثات مهمة",
        "2016",
        "(1)",
        "حي القاطرجي في حلب الذي تسيطر عليه المعارضة بعد غارة جوية 29 ابريل 2016",
    ],
)
def test_article_lines_are_not_residue(line: str) -> None:
    assert clean_text(line).text == line


def test_residue_setting_forms() -> None:
    assert parse_rules("") == ResidueRules()
    assert parse_rules("", builtin=False).pattern_for("x") is None
    one_per_line = parse_rules("^ignored$\nإعلان", builtin=False)
    assert one_per_line.common == ("^ignored$", "إعلان")
    rules = parse_rules('{"*": "إعلان", "okaz": ["السطر الأخير :"]}')
    okaz, other = rules.pattern_for("okaz"), rules.pattern_for("was")
    assert okaz is not None and other is not None
    assert okaz.fullmatch("السطر الأخير :") and not other.fullmatch("السطر الأخير :")
    assert okaz.fullmatch("إعلان") and other.fullmatch("إعلان") and other.fullmatch("×")
    assert parse_rules(["a", "b"], builtin=False).common == ("a", "b")


@pytest.mark.parametrize("value", ["[", '{"okaz": 3}', "(unclosed", ["(?i)x"], [""]])
def test_bad_residue_setting_is_refused(value: object) -> None:
    with pytest.raises(ResidueSettingError):
        parse_rules(value)


def test_clean_text_pickles_with_its_pattern() -> None:
    # A process pool sends the function and the compiled pattern to its workers.
    function, pattern = pickle.loads(pickle.dumps((clean_text, DEFAULT_PATTERN)))
    assert function("نص\n×", residue=pattern).text == "نص"


# -- properties -----------------------------------------------------------------------------------
@settings(max_examples=400, deadline=None)
@given(mixed_text, st.booleans())
def test_cleaning_is_idempotent(raw: str, keep: bool) -> None:
    once = clean_text(raw, keep_diacritics=keep).text
    twice = clean_text(once, keep_diacritics=keep)
    assert twice.text == once
    assert twice.residue == ()


@settings(max_examples=400, deadline=None)
@given(mixed_text, st.booleans())
def test_cleaning_never_adds_or_reorders_arabic_letters(raw: str, keep: bool) -> None:
    cleaned = clean_text(raw, keep_diacritics=keep)
    before = letters_as_written(raw)
    kept = arabic_letters(cleaned.text)
    assert is_subsequence(kept, before)
    # Every letter not kept is in a removed residue line: the account is exact.
    assert len(kept) + len(arabic_letters("".join(cleaned.residue))) == len(before)
    if not cleaned.residue:
        assert kept == before


@settings(max_examples=400, deadline=None)
@given(mixed_text)
def test_no_character_of_the_removed_classes_is_left(raw: str) -> None:
    text = clean_text(raw).text
    assert not set(text) & REMOVED
    assert not any(_is_control(c) for c in text)
    lines = text.split("\n")
    assert text == "" or all(line and line == line.strip() and "  " not in line for line in lines)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=FAST_ALPHABET, max_size=60), st.booleans())
def test_byte_path_and_str_path_agree(raw: str, keep: bool) -> None:
    codes = fast_encode(raw)
    assert codes is not None
    assert _clean_bytes(codes, keep) == _clean_chars(raw, keep)


# -- the corpus -----------------------------------------------------------------------------------
def saudinewsnet_articles(folder: Path) -> Iterator[dict[str, str]]:
    for archive in sorted(folder.glob("*.zip")):
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.namelist():
                yield from json.loads(zipped.read(member))


@pytest.mark.corpus
def test_every_saudinewsnet_article_keeps_its_letters_in_order(saudinewsnet_dir: Path) -> None:
    """Every Arabic letter of every article is kept, in order, except those of removed residue
    lines; residue removes less than 0.1% of the corpus's letters."""
    articles = letters_total = residue_letters = 0
    for article in saudinewsnet_articles(saudinewsnet_dir):
        raw = article.get("content") or ""
        cleaned = clean_text(raw)
        before = letters_as_written(raw)
        kept = arabic_letters(cleaned.text)
        in_residue = len(arabic_letters("".join(cleaned.residue)))
        where = article.get("url")
        if in_residue:
            assert is_subsequence(kept, before), where
        else:
            assert kept == before, where
        assert len(kept) + in_residue == len(before), where
        articles += 1
        letters_total += len(before)
        residue_letters += in_residue
    assert articles > 20_000
    assert residue_letters < letters_total / 1000
