"""The stage API: stats and rejects for free, settings in one place, AsyncStage off the reactor."""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any, ClassVar, Self

import pytest
from itemadapter import ItemAdapter
from scrapy.settings import BaseSettings, Settings
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newspipe.rejects import Language, Reject, Rejected
from newspipe.stages import AsyncStage, Stage
from tests.crawling import crawl

UNWANTED = "001_805b287045dc9b63.txt"
CRASHES_ON = "003_c4d8671c4ea1abfb.txt"


class TaggingStage(Stage):
    """Tags every document, rejects one by path with a reason word of its own."""

    name = "tagging"
    settings_read: ClassVar[tuple[str, ...]] = ("TAGGING_TAG",)
    setting_defaults: ClassVar[dict[str, Any]] = {"TAGGING_TAG": "seen"}

    def __init__(self, tag: str = "seen") -> None:
        self.tag = tag

    @classmethod
    def from_newspipe_settings(cls, settings: BaseSettings) -> Self:
        return cls(str(cls.setting(settings, "TAGGING_TAG")))

    def process(self, doc: ItemAdapter) -> None:
        if doc.get("path") == UNWANTED:
            self.reject("unwanted", f"{doc['path']} is on the test's list")
        doc["tag"] = self.tag


class CrashingStage(Stage):
    name = "crashing"

    def process(self, doc: ItemAdapter) -> None:
        if doc.get("path") == CRASHES_ON:
            raise ValueError("a bug in a user's stage")


def thread_name(_: str) -> str:
    return threading.current_thread().name


class HeavyStage(AsyncStage):
    name = "heavy"
    max_workers = 1

    async def process(self, doc: ItemAdapter) -> None:
        # a builtin: the worker process need not import this module (spawn is slow to start)
        doc["length"] = await self.in_process(len, doc["text"])
        doc["worker_thread"] = await self.in_thread(thread_name, doc["text"])
        if doc["length"] < 10:
            self.reject("tiny", f"{doc['length']} characters")


# -- configuration: stats and rejects on a real crawler -------------------------------------


def built(cls: type[Stage], **settings: Any) -> Stage:
    return build_from_crawler(cls, get_crawler(settings_dict=settings))


def test_stats_count_total_forwarded_and_dropped_by_reason() -> None:
    stage = built(TaggingStage)
    for path in ("a.txt", UNWANTED, "b.txt"):
        with contextlib.suppress(Reject):
            stage.process_item({"path": path, "text": "نص"})
    assert stage.stats is not None
    stats = stage.stats.get_stats()
    counters = {key: value for key, value in stats.items() if key.startswith("newspipe/")}
    assert counters.pop("newspipe/tagging/seconds") >= 0
    assert counters == {
        "newspipe/tagging/total": 3,
        "newspipe/tagging/forwarded": 2,
        "newspipe/tagging/dropped": 1,
        "newspipe/tagging/dropped/unwanted": 1,
    }


def test_reject_uses_newspipe_reason_classes_and_any_other_word() -> None:
    stage = TaggingStage()
    with pytest.raises(Language):
        stage.reject("language", "detected fa")
    with pytest.raises(Rejected) as caught:
        stage.reject("unwanted", "on the list")
    assert (caught.value.reason, caught.value.detail) == ("unwanted", "on the list")


def test_a_crash_is_counted_as_an_error_and_raised() -> None:
    stage = built(CrashingStage)
    with pytest.raises(ValueError, match="a bug"):
        stage.process_item({"path": CRASHES_ON})
    assert stage.stats is not None
    assert stage.stats.get_value("newspipe/crashing/errors") == 1
    assert stage.stats.get_value("newspipe/crashing/forwarded") is None


def test_settings_read_in_one_place_with_defaults() -> None:
    assert TaggingStage.from_newspipe_settings(Settings()).tag == "seen"
    assert TaggingStage.from_newspipe_settings(Settings({"TAGGING_TAG": "x"})).tag == "x"
    assert TaggingStage.current_settings(Settings()) == {"TAGGING_TAG": "seen"}
    # newspipe's own settings fall back on newspipe.defaults
    assert Stage.setting(Settings(), "NEWSPIPE_LANGUAGES") == "ar"


def test_stage_name_defaults_to_the_class_name() -> None:
    class Unnamed(Stage):
        pass

    assert Unnamed.stage_name() == "Unnamed"
    with pytest.raises(NotImplementedError, match="Unnamed must define process"):
        Unnamed().process(ItemAdapter({}))


# -- in-process crawls -------------------------------------------------------------------------


def test_user_stages_in_a_real_crawl(tmp_path: Any) -> None:
    result = crawl(
        {
            "NEWSPIPE_OUTPUT_DIR": str(tmp_path),
            "TAGGING_TAG": "from-settings",
            "ITEM_PIPELINES": {
                "tests.test_stage_api.TaggingStage": 250,
                "tests.test_stage_api.CrashingStage": 260,
                "tests.test_stage_api.HeavyStage": 350,
            },
        }
    )
    assert result.exit_code == 0
    assert result.reasons == {UNWANTED: "unwanted"}
    assert len(result.errors) == 1 and "a bug in a user's stage" in result.errors[0]
    kept = result.kept_by_path
    assert len(kept) == 3 and UNWANTED not in kept and CRASHES_ON not in kept
    for doc in kept.values():
        assert doc["tag"] == "from-settings"
        assert doc["length"] == len(doc["text"])  # computed in a worker process
        assert doc["worker_thread"].startswith("newspipe-heavy")  # and in a worker thread
        assert doc["content_hash"] and doc["run_id"]  # built-in stages ran around them
    stats = result.stats
    assert stats["newspipe/tagging/dropped/unwanted"] == 1
    assert stats["newspipe/crashing/errors"] == 1
    assert stats["newspipe/rejected/error"] == 1  # the recorder wrote the crash as a reject
    assert (stats["newspipe/heavy/total"], stats["newspipe/heavy/forwarded"]) == (3, 3)


def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


class FirstIsSlow(AsyncStage):
    name = "first_is_slow"

    async def process(self, doc: ItemAdapter) -> None:
        await self.in_thread(nap, 0.5 if str(doc["path"]).startswith("000_") else 0.0)


def test_an_awaiting_stage_lets_later_documents_overtake(tmp_path: Any) -> None:
    """What docs/writing-a-stage.md warns of: completion order, not input order, after it."""
    result = crawl(
        {
            "NEWSPIPE_OUTPUT_DIR": str(tmp_path),
            "ITEM_PIPELINES": {"tests.test_stage_api.FirstIsSlow": 350},
        }
    )
    paths = [doc["path"] for doc in result.kept]
    assert len(paths) == 5
    assert paths[-1].startswith("000_")  # read first, kept last
