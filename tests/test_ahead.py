"""Pure stages run ahead in worker processes: same output as in the pipeline, in input order."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from itemadapter import ItemAdapter

from newspipe import ahead
from newspipe.ahead import AheadRunner, FileBatch, ahead_chain, run_chain, worker_count
from newspipe.inputs import InputOptions
from newspipe.manifest import ReadFile, list_inputs, read_with
from newspipe.stages.base import Stage
from newspipe.stages.clean import CleanStage
from newspipe.stages.dedup import DedupStage
from newspipe.stages.source import SourceStage
from tests.conftest import SEEDS
from tests.crawling import crawl


class Shout(Stage):
    name = "shout"
    pure = True

    def process(self, doc: ItemAdapter) -> None:
        if doc["text"] == "reject me":
            self.reject("too_short", "a test reject")
        doc["text"] = doc["text"].upper()
        if self.stats is not None:
            self.stats.inc_value("newspipe/shout/letters", len(doc["text"]))


class DiesOnce(Stage):
    """Kills the worker process it runs in at the document marked so (as the OOM killer would)."""

    name = "dies"
    pure = True

    def process(self, doc: ItemAdapter) -> None:
        if doc["text"] == "die" and multiprocessing.parent_process() is not None:
            os._exit(1)
        doc["text"] = doc["text"].upper()


class WherePid(Stage):
    """Notes the process that ran it."""

    name = "where"
    pure = True

    def process(self, doc: ItemAdapter) -> None:
        doc["ran_in"] = os.getpid()


class Impure(Stage):
    name = "impure"

    def process(self, doc: ItemAdapter) -> None:
        doc["seen"] = True


def test_chain_is_the_leading_pure_stages() -> None:
    clean, shout, impure = CleanStage(), Shout(), Impure()
    assert [stage for stage, _ in ahead_chain([clean, shout, impure, Shout()])] == [clean, shout]
    assert ahead_chain([impure, clean]) == []
    assert ahead_chain([object(), clean]) == []


def test_run_chain_records_changes_counters_and_rejects() -> None:
    docs: list[dict[str, Any]] = [{"text": "abc"}, {"text": "reject me"}]
    [first, second] = run_chain([(Shout(), "process")], docs)
    assert first["shout"].changes == {"text": "ABC"}
    assert ("newspipe/shout/letters", 3) in first["shout"].counters
    assert second["shout"].reject == ("too_short", "a test reject")


def test_replayed_step_gives_what_process_gives() -> None:
    item: dict[str, Any] = {"text": "abc"}
    [steps] = run_chain([(Shout(), "process")], [dict(item)])
    item["_ahead"] = steps
    assert Shout().process_item(item)["text"] == "ABC"


def test_a_killed_worker_costs_nothing_but_speed() -> None:
    docs: list[dict[str, Any]] = [{"text": f"doc {n}"} for n in range(40)]
    docs[9]["text"] = "die"
    runner = AheadRunner([(DiesOnce(), "process")], workers=1, batch_size=4)

    async def collect() -> list[dict[str, Any]]:
        return [doc async for doc in runner.run(dict(doc) for doc in docs)]

    out = asyncio.run(collect())
    # Every document comes out once, in input order; those not done by a worker are done by the
    # pipeline (no steps attached), including the batch the dead worker held.
    assert [doc["text"].lower() for doc in out] == [doc["text"] for doc in docs]
    pipeline = DiesOnce()
    assert [pipeline.process_item(doc)["text"] for doc in out] == [
        doc["text"].upper() for doc in docs
    ]
    assert "_ahead" in out[0]
    assert "_ahead" not in out[-1]


def test_the_crawl_process_takes_on_batches_while_the_workers_are_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(60):
        (tmp_path / f"{number:03d}.txt").write_text(f"نص رقم {number}", encoding="utf-8")
    options = InputOptions(roots=(tmp_path,))
    reader = read_with(options)
    files = [(file, 0) for file in list_inputs(options)]

    def accept(file: Any, skip: int, read: ReadFile) -> list[dict[str, Any]]:
        return read.documents

    # One batch out at a time: the worker (still starting) is behind from the first batch on.
    monkeypatch.setattr(ahead, "QUEUED_PER_WORKER", 0)
    runner = AheadRunner([(WherePid(), "process")], workers=1, reader=reader)
    tasks = [FileBatch(files[start : start + 4], accept, reader) for start in range(0, 60, 4)]

    async def collect() -> list[dict[str, Any]]:
        return [doc async for doc in runner.run_tasks(tasks)]

    out = asyncio.run(collect())
    # In input order, each document once, every one with its step, whoever ran it.
    assert [doc["path"] for doc in out] == [f"{number:03d}.txt" for number in range(60)]
    assert all("where" in doc["_ahead"] for doc in out)
    assert os.getpid() in {doc["ran_in"] for doc in out}  # some batches were done here


def test_worker_count_setting() -> None:
    assert worker_count(0) == 0
    assert worker_count("3") == 3
    assert worker_count("auto") >= 1


def test_stages_ship_without_live_handles() -> None:
    import pickle

    stage = SourceStage()
    stage.crawler = object()  # type: ignore[assignment]
    assert "crawler" not in pickle.loads(pickle.dumps(stage)).__dict__
    assert "run" in DedupStage.local_only or not DedupStage.has_prepare()


def test_output_is_the_same_with_and_without_worker_processes(tmp_path: Path) -> None:
    root = tmp_path / "in"
    shutil.copytree(SEEDS, root)
    first = sorted(root.glob("*.txt"))[0]
    (root / "copy.txt").write_text("ـ" + first.read_text("utf-8"), encoding="utf-8")
    (root / "en.txt").write_text(
        "The ministry announced a new hospital in the city today.", "utf-8"
    )
    (root / "empty.txt").write_text("", "utf-8")
    outcomes = []
    for workers in (0, 2):
        result = crawl(
            {"NEWSPIPE_OUTPUT_DIR": str(tmp_path / f"out{workers}"), "NEWSPIPE_WORKERS": workers},
            path=str(root),
        )
        volatile = {"run_id", "ingested_at"}
        kept = [{k: v for k, v in d.items() if k not in volatile} for d in result.kept]
        dropped = [(d["path"], reason, detail) for d, reason, detail in result.dropped]
        counters = {
            k: v
            for k, v in result.stats.items()
            if k.startswith("newspipe/") and not k.endswith("/seconds")
        }
        ran_ahead = counters.pop("newspipe/ahead/documents", 0)
        assert ran_ahead == (8 if workers else 0)
        outcomes.append((kept, dropped, counters))
    assert outcomes[0] == outcomes[1]
    assert len(outcomes[0][0]) == 5
