"""``scrapy stages``: the listing (configuration tests) and the README snippet (subprocess runs)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from typing import Any, ClassVar, Self

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings
from scrapy.utils.project import get_project_settings

from newspipe.commands.stages import crawler_for, render, stage_rows
from newspipe.stages import Stage
from tests.conftest import PROJECT_ROOT

BUILT_IN = ["clean", "language", "dedup", "source"]
SNIPPET = re.compile(
    r"<!-- scrapy-stages:begin -->\n```\n(.*?)```\n<!-- scrapy-stages:end -->", re.S
)


class SwitchedOff(Stage):
    name = "switched_off"

    @classmethod
    def from_newspipe_settings(cls, settings: BaseSettings) -> Self:
        raise NotConfigured("needs a model: pip install newspipe[model]")


class Reading(Stage):
    name = "reading"
    settings_read: ClassVar[tuple[str, ...]] = ("READING_LIMIT", "NEWSPIPE_LANGUAGES")
    setting_defaults: ClassVar[dict[str, Any]] = {"READING_LIMIT": 7}


class PlainPipeline:
    def process_item(self, item: Any) -> Any:
        return item


def rows_for(**settings: Any) -> list[Any]:
    project = get_project_settings()
    project.setdict(settings, priority="cmdline")
    return stage_rows(crawler_for(project))


def test_default_pipeline_is_the_five_stages_in_order() -> None:
    rows = rows_for()
    assert [(row.priority, row.name) for row in rows] == [
        (100, "clean"),
        (200, "language"),
        (270, "attribution"),
        (300, "dedup"),
        (400, "source"),
    ]
    assert all(row.off is None and row.error is None for row in rows)
    assert rows[1].settings["NEWSPIPE_LANGUAGES"] == "ar"


def test_item_pipelines_adds_to_the_built_in_stages_and_none_switches_one_off() -> None:
    rows = rows_for(
        ITEM_PIPELINES={
            "tests.test_stages_command.PlainPipeline": 250,
            "newspipe.stages.dedup.DedupStage": None,
        }
    )
    assert [row.name for row in rows] == [
        "clean",
        "language",
        "PlainPipeline",
        "attribution",
        "dedup",
        "source",
    ]
    dedup = rows[4]
    assert (dedup.priority, dedup.off) == (300, "ITEM_PIPELINES sets it to None")
    assert rows[2].path == "tests.test_stages_command.PlainPipeline" and rows[2].off is None


def test_not_configured_is_listed_with_its_reason() -> None:
    rows = rows_for(ITEM_PIPELINES={"tests.test_stages_command.SwitchedOff": 150})
    off = rows[1]
    assert (off.name, off.off) == ("switched_off", "needs a model: pip install newspipe[model]")
    text = render(rows)
    assert "  150  switched_off  tests.test_stages_command.SwitchedOff  [off]" in text
    assert "       off: needs a model: pip install newspipe[model]" in text


def test_settings_read_shown_with_current_values_and_defaults() -> None:
    rows = rows_for(
        ITEM_PIPELINES={"tests.test_stages_command.Reading": 450}, NEWSPIPE_LANGUAGES="ar,fa"
    )
    assert rows[-1].settings == {"READING_LIMIT": 7, "NEWSPIPE_LANGUAGES": "ar,fa"}
    assert "       READING_LIMIT = 7\n       NEWSPIPE_LANGUAGES = 'ar,fa'" in render(rows)


def test_bad_setting_and_missing_module_are_errors() -> None:
    rows = rows_for(ITEM_PIPELINES={"no_such_module.Stage": 250}, NEWSPIPE_KEEP_DUPLICATES="maybe")
    errors = {row.name: row.error for row in rows if row.error}
    assert errors["Stage"].startswith("cannot import")
    assert errors["dedup"] == "NEWSPIPE_KEEP_DUPLICATES must be true or false, got 'maybe'"


def scrapy(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "scrapy.cmdline", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_command_exits_1_when_a_stage_cannot_be_built() -> None:
    done = scrapy("stages", "-s", "NEWSPIPE_KEEP_DUPLICATES=maybe")
    assert done.returncode == 1
    assert "error: NEWSPIPE_KEEP_DUPLICATES must be true or false" in done.stdout


def documented_listings() -> tuple[str, list[str]]:
    """The snippets between the markers, in README.md and in the stage guide."""
    names = ("README.md", "docs/writing-a-stage.md")
    found: list[str] = []
    for name in names:
        path = PROJECT_ROOT / name
        if path.is_file():
            found.extend(SNIPPET.findall(path.read_text(encoding="utf-8")))
    return " and ".join(names), found


DOCUMENTED_IN, LISTINGS = documented_listings()


def test_the_docs_show_scrapy_stages() -> None:
    assert LISTINGS, f"no <!-- scrapy-stages:begin --> snippet in {DOCUMENTED_IN}"


@pytest.mark.parametrize("listing", LISTINGS, ids=[s.partition("\n")[0] for s in LISTINGS])
def test_documented_output_is_what_the_command_prints(listing: str) -> None:
    command, _, expected = listing.partition("\n")
    assert command.startswith("$ scrapy stages"), f"{DOCUMENTED_IN}: snippet must start with it"
    done = scrapy(*shlex.split(command.removeprefix("$ scrapy ")))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == expected, (
        f"{DOCUMENTED_IN} is out of date: paste the output of `{command[2:]}` between its markers"
    )
