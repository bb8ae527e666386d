"""The measures on made-up texts, and the stage's settings (no crawl: see newspipe's tests)."""

from __future__ import annotations

import pytest
from newspipe_arabic_quality import ArabicQualityStage, Thresholds, measure, verdict
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings

from newspipe.config import SettingError

SENTENCE = "قال المتحدث باسم الوزارة إن الاجتماع سيعقد في الرياض الأسبوع المقبل."


def test_measure_counts_arabic_letters_words_and_punctuated_lines() -> None:
    measures = measure("مرحبا بكم.\nhello world\n«نهاية الخبر.»\n")
    assert measures.words == 6
    assert measures.letters == measures.arabic_letters + len("helloworld")
    assert (measures.lines, measures.punctuated_lines) == (3, 2)


def test_news_prose_passes() -> None:
    text = "\n".join([SENTENCE] * 6)
    assert verdict(measure(text), Thresholds()) is None


def test_latin_text_is_low_arabic() -> None:
    text = "Breaking news from Riyadh today, " * 20 + SENTENCE
    found = verdict(measure(text), Thresholds())
    assert found is not None and found[0] == "low_arabic"
    assert "Arabic script" in found[1]


def test_a_headline_alone_is_too_short() -> None:
    assert verdict(measure(SENTENCE), Thresholds()) == (
        "too_short",
        "11 words (at least 30 wanted)",
    )


def test_a_menu_of_lines_without_punctuation_is_no_sentences() -> None:
    menu = "\n".join(["الرئيسية أخبار محلية", "رياضة واقتصاد", "اتصل بنا الآن"] * 4)
    found = verdict(measure(menu), Thresholds(min_words=5))
    assert found is not None and found[0] == "no_sentences"


def test_punctuation_check_waits_for_enough_lines() -> None:
    two_lines = " ".join(["كلمة"] * 40) + "\n" + " ".join(["كلمة"] * 40)
    assert verdict(measure(two_lines), Thresholds()) is None
    assert verdict(measure(two_lines), Thresholds(min_lines=2)) is not None


def test_settings_are_read_with_plugin_defaults() -> None:
    stage = ArabicQualityStage.from_newspipe_settings(Settings({"ARABIC_QUALITY_MIN_WORDS": "12"}))
    assert stage.limits == Thresholds(min_words=12)


def test_bad_value_names_the_setting() -> None:
    with pytest.raises(SettingError, match="ARABIC_QUALITY_MIN_WORDS"):
        ArabicQualityStage.from_newspipe_settings(Settings({"ARABIC_QUALITY_MIN_WORDS": "many"}))


def test_switched_off_with_not_configured() -> None:
    with pytest.raises(NotConfigured, match="ARABIC_QUALITY_ENABLED"):
        ArabicQualityStage.from_newspipe_settings(Settings({"ARABIC_QUALITY_ENABLED": "false"}))
