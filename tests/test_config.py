"""Layer 2: settings, their defaults, and one clear error for a bad value."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.spider import DefaultSpider
from scrapy.utils.test import get_crawler

from newspipe import defaults
from newspipe.addon import NewspipeAddon
from newspipe.commands.crawl import check_settings
from newspipe.config import SettingError, get_bool, get_float, get_int, get_list, setting
from newspipe.logformatter import NewspipeLogFormatter
from newspipe.rejects import Rejected
from newspipe.run import new_run_id
from newspipe.stages.dedup import DedupStage
from newspipe.stages.language import LanguageStage


def test_every_default_is_a_newspipe_setting_and_documented_in_the_contract() -> None:
    assert defaults.DEFAULTS
    assert all(name.startswith("NEWSPIPE_") for name in defaults.DEFAULTS)
    assert defaults.DEFAULTS["NEWSPIPE_LANGUAGES"] == "ar"
    assert defaults.DEFAULTS["NEWSPIPE_NEAR_DUP_THRESHOLD"] == 0.8


def test_unset_setting_reads_its_default() -> None:
    assert setting(Settings(), "NEWSPIPE_SEEDS") == "seeds"
    assert setting(Settings({"NEWSPIPE_SEEDS": "elsewhere"}), "NEWSPIPE_SEEDS") == "elsewhere"


@pytest.mark.parametrize("value", ["true", "1", "yes", True])
def test_bool_true(value: object) -> None:
    assert get_bool(Settings({"NEWSPIPE_KEEP_DUPLICATES": value}), "NEWSPIPE_KEEP_DUPLICATES")


def test_bad_values_raise_one_line_errors_naming_the_setting() -> None:
    settings = Settings(
        {
            "NEWSPIPE_KEEP_DUPLICATES": "perhaps",
            "NEWSPIPE_NEAR_DUP_THRESHOLD": "high",
            "NEWSPIPE_X": "-3",
        }
    )
    with pytest.raises(SettingError, match="NEWSPIPE_KEEP_DUPLICATES must be true or false"):
        get_bool(settings, "NEWSPIPE_KEEP_DUPLICATES")
    with pytest.raises(SettingError, match="NEWSPIPE_NEAR_DUP_THRESHOLD must be a number"):
        get_float(settings, "NEWSPIPE_NEAR_DUP_THRESHOLD", low=0, high=1)
    with pytest.raises(SettingError, match="NEWSPIPE_X must be 0 or more"):
        get_int(settings, "NEWSPIPE_X", low=0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("NEWSPIPE_REBUILD_STATE", "perhaps"),  # the run's
        ("NEWSPIPE_PROGRESS_INTERVAL", "often"),  # the recorder's
        ("NEWSPIPE_MAX_DOC_BYTES", "0"),  # the inputs'
        ("NEWSPIPE_WORKERS", "-1"),  # the worker processes'
        ("NEWSPIPE_NEAR_DUP_THRESHOLD", "1.5"),  # a stage's
        ("NEWSPIPE_LANGUAGES", "arabic"),
        ("NEWSPIPE_RESIDUE_PATTERNS", "(unclosed"),
        ("ITEM_PIPELINES", {"no.such.Stage": 250}),  # a stage of one's own, misspelt
    ],
)
def test_every_setting_is_checked_before_a_crawl_starts(name: str, value: object) -> None:
    with pytest.raises(SettingError, match=re.escape(name)):
        check_settings(project_settings({name: value}))


def test_the_default_settings_and_a_stage_switched_off_pass_the_check() -> None:
    check_settings(project_settings({}))
    off = {"ITEM_PIPELINES": {"newspipe.stages.clean.CleanStage": None}}
    check_settings(project_settings(off | {"NEWSPIPE_RESIDUE_PATTERNS": "(unclosed"}))
    check_settings(project_settings({"NEWSPIPE_LANGUAGES": "AR, und", "NEWSPIPE_WORKERS": "3"}))


def project_settings(values: dict[str, object]) -> Settings:
    """The project's settings (newspipe's stages in ITEM_PIPELINES_BASE), then ``values`` as
    ``-s`` sets them."""
    settings = Settings()
    settings.setmodule("newspipe.settings", priority="project")
    settings.update(values, priority="cmdline")
    return settings


def test_list_settings_accept_commas_and_lists() -> None:
    assert get_list(Settings({"NEWSPIPE_LANGUAGES": "ar, fa,,"}), "NEWSPIPE_LANGUAGES") == [
        "ar",
        "fa",
    ]
    assert get_list(Settings({"NEWSPIPE_LANGUAGES": ["ar"]}), "NEWSPIPE_LANGUAGES") == ["ar"]
    assert get_list(Settings({"NEWSPIPE_LANGUAGES": ""}), "NEWSPIPE_LANGUAGES") == []


def test_addon_sets_run_id_recorder_and_keeps_user_feeds(tmp_path: object) -> None:
    settings = Settings({"NEWSPIPE_OUTPUT_DIR": str(tmp_path)})
    settings.set("FEEDS", {"extra.jsonl": {"format": "jsonlines"}}, priority="cmdline")
    NewspipeAddon().update_settings(settings)
    assert settings.get("NEWSPIPE_RUN_ID")
    # Kept documents are written by the recorder, in shards committed with the state; a feed
    # the user adds (-O) is left as it is, written atomically.
    assert settings.getdict("FEEDS") == {"extra.jsonl": {"format": "jsonlines"}}
    assert "newspipe.recorder.RunRecorder" in settings.getdict("EXTENSIONS")
    assert settings.getdict("FEED_STORAGES")["file"] == "newspipe.feeds.AtomicFileFeedStorage"


def test_run_ids_sort_by_time_within_a_second() -> None:
    second = datetime(2026, 11, 26, 8, 15, 0, tzinfo=UTC)
    moments = [second + timedelta(milliseconds=ms) for ms in (0, 5, 300, 996)]
    ids = [new_run_id(moment) for moment in moments]
    assert all(re.fullmatch(r"20261126T081500Z-[0-9a-f]{6}", run_id) for run_id in ids)
    assert sorted(ids) == ids  # a run that ends within its second sorts before the next one
    assert new_run_id(second + timedelta(seconds=1)) > ids[-1]


def test_addon_installs_the_fast_stats_and_quiet_log_formatter_unless_set() -> None:
    settings = Settings()
    NewspipeAddon().update_settings(settings)
    assert settings["STATS_CLASS"] == "newspipe.stats.NewspipeStatsCollector"
    assert settings["LOG_FORMATTER"] == "newspipe.logformatter.NewspipeLogFormatter"
    own = Settings()
    own.set("STATS_CLASS", "myproject.Stats", priority="project")
    NewspipeAddon().update_settings(own)
    assert own["STATS_CLASS"] == "myproject.Stats"


def test_the_fast_stats_collector_counts_as_scrapys_does() -> None:
    crawler = get_crawler(settings_dict={"STATS_CLASS": "newspipe.stats.NewspipeStatsCollector"})
    stats = crawler.stats
    assert stats is not None
    stats.inc_value("a")
    stats.inc_value("a", 2)
    stats.inc_value("b", 0.5, start=1)
    stats.max_value("m", 3)
    stats.max_value("m", 1)
    assert stats.get_stats() == {"a": 3, "b": 1.5, "m": 3}


@pytest.mark.parametrize(
    ("log_level", "scraped_logged", "debug_drop_logged", "warning_drop_logged"),
    [("DEBUG", True, True, True), ("INFO", False, False, True), (30, False, False, True)],
)
def test_the_log_formatter_leaves_out_lines_below_the_log_level(
    log_level: str | int, scraped_logged: bool, debug_drop_logged: bool, warning_drop_logged: bool
) -> None:
    crawler = get_crawler(DefaultSpider, settings_dict={"LOG_LEVEL": log_level})
    formatter = NewspipeLogFormatter.from_crawler(crawler)
    spider = DefaultSpider.from_crawler(crawler)
    item = {"text": "x"}
    assert (formatter.scraped(item, None, spider) is not None) is scraped_logged
    debug_drop = Rejected("empty", "no text", log_level="DEBUG")
    assert (formatter.dropped(item, debug_drop, None, spider) is not None) is debug_drop_logged
    warning_drop = Rejected("empty", "no text", log_level="WARNING")
    assert (formatter.dropped(item, warning_drop, None, spider) is not None) is warning_drop_logged


def test_stage_from_crawler_reads_settings() -> None:
    crawler = get_crawler(settings_dict={"NEWSPIPE_KEEP_DUPLICATES": "true"})
    stage = build_from_crawler(DedupStage, crawler)
    assert stage.config.keep_duplicates is True


def test_bad_backend_name_is_a_setting_error() -> None:
    crawler = get_crawler(settings_dict={"NEWSPIPE_LANGID_BACKEND": "guess"})
    with pytest.raises((SettingError, NotConfigured), match="NEWSPIPE_LANGID_BACKEND"):
        build_from_crawler(LanguageStage, crawler)
