"""Source mapping rules, the inputs' settings, and the agencies a text credits."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.settings import Settings

from newspipe.config import SettingError
from newspipe.inputs.config import input_options
from newspipe.sources.attribution import attributions
from newspipe.sources.mapping import SourceMap, pairs_from_csv, pairs_from_setting, parse_rule


@pytest.mark.parametrize(
    ("pattern", "kind", "normalised"),
    [
        ("aawsat.com", "domain", "aawsat.com"),
        ("www.Sabq.org", "domain", "sabq.org"),
        ("riyadh/*", "path", "riyadh/*"),
        ("*.zip", "path", "*.zip"),
        ("old.json", "path", "old.json"),
        ("domain:archive.zip", "domain", "archive.zip"),
        ("path:okaz", "path", "okaz"),
    ],
)
def test_rule_kinds(pattern: str, kind: str, normalised: str) -> None:
    rule = parse_rule(pattern, "X")
    assert (rule.kind, rule.pattern) == (kind, normalised)


def test_domain_rules_match_subdomains_only_on_a_dot() -> None:
    mapping = SourceMap.from_pairs([("okaz.com.sa", "Okaz")])
    assert mapping.lookup((), "m.okaz.com.sa") == "Okaz"
    assert mapping.lookup((), "okaz.com.sa") == "Okaz"
    assert mapping.lookup((), "notokaz.com.sa") is None
    assert mapping.lookup((), None) is None


def test_first_matching_rule_wins() -> None:
    mapping = SourceMap.from_pairs([("a/*", "First"), ("*", "Second")])
    assert mapping.lookup(("a/x.txt",), None) == "First"
    assert mapping.lookup(("b/x.txt",), None) == "Second"


def test_setting_and_csv_forms(tmp_path: Path) -> None:
    assert pairs_from_setting("a.com=A, b/*=B") == [("a.com", "A"), (" b/*", "B")]
    assert pairs_from_setting({"a.com": "A"}) == [("a.com", "A")]
    csv_file = tmp_path / "sources.csv"
    csv_file.write_text(
        "pattern,source\n# comment\nspa.gov.sa,واس\n\nriyadh/*,الرياض\n", encoding="utf-8"
    )
    assert pairs_from_csv(csv_file) == [("spa.gov.sa", "واس"), ("riyadh/*", "الرياض")]
    with pytest.raises(ValueError, match="is not pattern=source"):
        pairs_from_setting("nothing-here")


def test_input_options_from_settings(tmp_path: Path) -> None:
    csv_file = tmp_path / "map.csv"
    csv_file.write_text("x.org,X\n", encoding="utf-8")
    settings = Settings(
        {
            "NEWSPIPE_MAX_DOC_BYTES": "1000",
            "NEWSPIPE_FOLLOW_SYMLINKS": "true",
            "NEWSPIPE_TEXT_FIELDS": "maintext,text",
            "NEWSPIPE_SOURCE_MAP": "a.com=A",
            "NEWSPIPE_SOURCE_MAP_FILE": str(csv_file),
        }
    )
    options = input_options(settings, [tmp_path], source="given")
    assert options.max_doc_bytes == 1000
    assert options.follow_symlinks is True
    assert options.fields.text == ("maintext", "text")
    assert options.fields.title == ("title", "headline")
    assert [(r.pattern, r.source) for r in options.source_map.rules] == [
        ("a.com", "A"),
        ("x.org", "X"),
    ]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("NEWSPIPE_MAX_DOC_BYTES", "lots", "NEWSPIPE_MAX_DOC_BYTES must be a whole number"),
        ("NEWSPIPE_MAX_ARCHIVE_BYTES", "0", "NEWSPIPE_MAX_ARCHIVE_BYTES must be 1 or more"),
        ("NEWSPIPE_FOLLOW_SYMLINKS", "maybe", "NEWSPIPE_FOLLOW_SYMLINKS must be true or false"),
        ("NEWSPIPE_TEXT_FIELDS", "", "NEWSPIPE_TEXT_FIELDS must name at least one field"),
        (
            "NEWSPIPE_SOURCE_MAP",
            "no-equals",
            "NEWSPIPE_SOURCE_MAP: 'no-equals' is not pattern=source",
        ),
        (
            "NEWSPIPE_SOURCE_MAP_FILE",
            "/nonexistent/map.csv",
            "NEWSPIPE_SOURCE_MAP_FILE: cannot use",
        ),
    ],
)
def test_bad_input_settings_name_the_setting(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingError, match=message.replace("(", r"\(")):
        input_options(Settings({name: value}), [Path(".")])


@pytest.mark.parametrize(
    ("text", "agencies"),
    [
        ("الرياض - واس\nأعلن وزير", ["SPA"]),
        ("الرياض 12 شوال 1436 هـ (واس) أعلن", ["SPA"]),
        ("واستعرض الدكتور فهد المبارك", []),
        ("قال مسؤول لرويترز إن", ["Reuters"]),
        ("وبحسب «رويترز» تعافى خام", ["Reuters"]),
        ("باريس (أ ف ب) - قال", ["AFP"]),
        ("باريس - (ا.ف.ب) قال", ["AFP"]),
        ("نقلت وكالة فرانس برس عن", ["AFP"]),
        ("ذكرت وكالة أسوشيتد برس", ["AP"]),
        ("وكالة (د ب أ) ذكرت", ["dpa"]),
        ("قالت وكالة «سانا» إن", ["SANA"]),
        ("ونقلت وكالة أنباء «الأناضول» أن", ["Anadolu"]),
        ("الدوحة (قنا) - ", ["QNA"]),
        ("تمكن الرئيس من إقناع الكونغرس", []),
        ("أبوظبي - وام", ["WAM"]),
        ("ما قوامه 153 مليار", []),
        ("القاهرة - أ ش أ", ["MENA"]),
        ("لم أشأ أن أجلس", []),
        ("القاهرة (أ.ش.أ)", ["MENA"]),
        ("دمشق - (وكالات)", ["agencies"]),
        ("وكالات الأنباء التي نشرت", []),
        ("LONDON (Reuters) - Oil prices", ["Reuters"]),
        ("PARIS (AFP) - and (Reuters)", ["Reuters", "AFP"]),
        ("", []),
    ],
)
def test_attributions(text: str, agencies: list[str]) -> None:
    assert attributions(text) == agencies
