"""The fast paths of the worker's pure functions give what the plain ways of computing them give."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from newspipe.dedup.minhash import band_keys
from newspipe.dedup.paragraphs import MIN_PASSAGE_WORDS, Passages, passages
from newspipe.inputs import decode
from newspipe.langid.sample import _one_line
from newspipe.langid.script import _counted_evidence, script_evidence
from newspipe.sources import attribution
from newspipe.text.chars import FAST_ALPHABET

# Letters of each alphabet, agency names and the brackets, dashes and spaces around credits.
CREDIT_PIECES = st.sampled_from(
    [
        *"ابتةيکیہےگa bcdeé1٢۳.,!\n\t()«»:-—/،",
        "واس",
        "وام",
        "قنا",
        "سانا",
        "أعوام",
        "اتفقنا",
        "رويترز",
        "فرانس برس",
        "أ ف ب",
        "د.ب.أ",
        "أ ش أ",
        "وكالة ",
        "الأنباء ",
        "وكالات",
        "وكالة الأنباء السعودية",
        "SPA",
        "AP",
        "WAM",
        "Reuters",
        "(agencies)",
        "Saudi Press Agency",
    ]
)
CREDIT_TEXTS = st.lists(CREDIT_PIECES, max_size=40).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(FAST_ALPHABET), max_size=300))
def test_script_evidence_fast_path_counts_as_the_counter(text: str) -> None:
    assert script_evidence(text) == _counted_evidence(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("اب a\n\t\xa0\u2028\u200f."), max_size=60))
def test_one_line_is_split_and_join(span: str) -> None:
    assert _one_line(span) == " ".join(span.split())


def _plain_attributions(text: str) -> list[str]:
    """Every agency whose literals or anchor are there and whose pattern matches."""
    credited = []
    for name, patterns in attribution._AGENCIES:
        literals, anchor = attribution._ANCHORS[name]
        maybe = any(literal in text for literal in literals) or (
            anchor is not None and anchor.search(text) is not None
        )
        pattern = re.compile("|".join(f"(?:{p})" for p in patterns), re.MULTILINE)
        if maybe and pattern.search(text):
            credited.append(name)
    return credited


@settings(max_examples=300, deadline=None)
@given(CREDIT_TEXTS)
def test_attributions_as_every_pattern_searched(text: str) -> None:
    assert attribution.attributions(text) == _plain_attributions(text)


def _plain_passages(shingles: np.ndarray, shingle_size: int) -> Passages:
    """Each passage's lowest print, passage by passage."""
    prints: list[int] = []
    current: list[int] = []
    values = [int(value) for value in shingles]
    for index, value in enumerate(values):
        current.append(value * 0xD6E8FEB86659FD93 % 2**64)
        cut = (value * 0x9E3779B97F4A7C15 % 2**64) >> 60 == 0
        if (cut and index < len(values) - 1) or index == len(values) - 1:
            if len(current) + shingle_size - 1 >= MIN_PASSAGE_WORDS:
                lowest = min(current)
                prints.append(lowest - 2**64 if lowest >= 2**63 else lowest)
            current = []
    return Passages(tuple(prints))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 2**64 - 1), max_size=200),
    st.integers(1, 9),
)
def test_passages_as_passage_by_passage(values: list[int], shingle_size: int) -> None:
    shingles = np.array(values, dtype=np.uint64)
    assert passages(shingles, shingle_size) == _plain_passages(shingles, shingle_size)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 2**32 - 1), min_size=12, max_size=12), st.integers(1, 4))
def test_band_keys_as_the_polynomial_of_each_band(values: list[int], rows: int) -> None:
    sig = np.array(values, dtype=np.uint32)
    bands = len(values) // rows
    expected = []
    for band in range(bands):
        key = band + 1
        for value in values[band * rows : (band + 1) * rows]:
            key = (key * 0xBF58476D1CE4E5B9 + value) % 2**64
        key ^= key >> 31
        expected.append(key - 2**64 if key >= 2**63 else key)
    assert band_keys(sig, bands, rows) == expected


def _plain_looks_like_mojibake(text: str) -> bool:
    """looks_like_mojibake as it was before its fast path: every count on the str."""
    has_latin = decode._LATIN1_LETTER.search(text) is not None
    t_or_z = text.count("ط") + text.count("ظ")
    if not has_latin and (t_or_z < 4 or t_or_z * 3 <= decode._common_arabic_letters(text)):
        return False
    latin = len(decode._LATIN1_LETTER.findall(text)) if has_latin else 0
    arabic = len(decode._ARABIC_LETTER.findall(text))
    if latin >= 4 and latin > 2 * arabic and latin * 10 >= 3 * sum(c.isalpha() for c in text):
        return True
    pairs = len(decode._MOJIBAKE_CP1256.findall(text))
    return pairs >= 4 and pairs * 3 > arabic


MOJIBAKE_PIECES = st.sampled_from(
    [*"طظاليوبé×àÃ\x01\x85\n ", "Ø§Ù„", "ط§ظ„", "ÇáÚÑÈíÉ", "\U0001f600", "ç"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(MOJIBAKE_PIECES, max_size=60).map("".join))
def test_mojibake_and_control_checks_count_as_the_plain_ways(text: str) -> None:
    assert decode.looks_like_mojibake(text) == _plain_looks_like_mojibake(text)
    sample = text[:65536]
    controls = len(decode._CONTROL.findall(sample))
    plain_says_binary = bool(sample) and controls > max(8, len(sample) // 20)
    try:
        decode._check_controls(text)
    except decode.NotText:
        assert plain_says_binary
    else:
        assert not plain_says_binary
