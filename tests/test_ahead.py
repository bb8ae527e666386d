"""Pure stages run ahead in worker processes: same output as in the pipeline, in input order."""

from __future__ import annotations

import asyncio
import gzip
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from itemadapter import ItemAdapter

from newspipe import ahead
from newspipe.ahead import (
    AheadRunner,
    FileBatch,
    RecordingStats,
    ahead_chain,
    run_chain,
    worker_count,
)
from newspipe.inputs import InputFile, InputOptions
from newspipe.inputs.read import (
    LinePiece,
    MemberPiece,
    MemberToCut,
    ValuePiece,
    compressed_line_pieces,
    decoded_size,
    json_pieces,
    line_pieces,
    member_pieces,
    read_input,
    zip_pieces,
)
from newspipe.loads import LoadRefused, before_loading, refusing_large_loads
from newspipe.manifest import ReadFile, list_inputs, read_with
from newspipe.rejects import Reject
from newspipe.stages.base import Stage
from newspipe.stages.clean import CleanStage
from newspipe.stages.dedup import DedupStage
from newspipe.stages.source import SourceStage
from tests.conftest import COMPRESS, SEEDS
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


class NeedsAModel(Stage):
    """Needs a large model (as langdetect's profiles) for the files whose number ends in 7."""

    name = "model"
    pure = True

    def process(self, doc: ItemAdapter) -> None:
        if doc["path"].endswith("7.txt"):
            before_loading("the test model")  # never loaded here: asked every time
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


def test_run_chain_changes_the_documents_adds_up_counters_and_records_rejects() -> None:
    docs: list[dict[str, Any]] = [{"text": "abc"}, {"text": "reject me"}, {"text": "de"}]
    counters: dict[str, Any] = {}
    [first, second, third] = run_chain([(Shout(), "process")], docs, counters)
    assert [doc["text"] for doc in docs] == ["ABC", "reject me", "DE"]
    assert counters["newspipe/shout/letters"] == 5  # the batch's, summed
    assert second["shout"].reject == ("too_short", "a test reject")
    # a step with nothing to say is one shared object: it unpickles once for the batch
    assert first["shout"] is third["shout"] and first["shout"].reject is None


class CountsThenCrashes(Stage):
    name = "crashes"
    pure = True

    def process(self, doc: ItemAdapter) -> None:
        if self.stats is not None:
            self.stats.inc_value("newspipe/crashes/seen")
        doc["touched"] = True
        if doc["text"] == "crash":
            raise RuntimeError("a test crash")


def test_a_stage_that_crashes_ahead_leaves_the_document_as_it_was_for_the_pipeline() -> None:
    docs: list[dict[str, Any]] = [{"text": "ok"}, {"text": "crash"}]
    counters: dict[str, Any] = {}
    [first, second] = run_chain(
        [(CountsThenCrashes(), "process"), (Shout(), "process")], docs, counters
    )
    assert not first["crashes"].failed and first["shout"].reject is None
    # the crashed document: as it was, no later stage, and nothing it counted kept (the
    # pipeline runs the stage again on it, where Scrapy sees the crash)
    assert second["crashes"].failed and "shout" not in second
    assert docs[1] == {"text": "crash"}
    assert counters["newspipe/crashes/seen"] == 1
    assert counters["newspipe/shout/letters"] == 2


#: What the Noting stages saw, in order: (stage name, document text).
seen_by_stages: list[tuple[str, str]] = []


class Noting(Stage):
    """Notes each document it sees, under its own name."""

    pure = True

    def process(self, doc: ItemAdapter) -> None:
        seen_by_stages.append((self.stage_name(), doc["text"]))


class NotingFirst(Noting):
    name = "first"


class NotingLast(Noting):
    name = "last"


def test_run_chain_goes_stage_after_stage_over_the_whole_batch() -> None:
    # Each stage over every document before the next stage starts (its code stays in the CPU's
    # caches); a document rejected by a stage goes no further, as in the pipeline.
    seen_by_stages.clear()
    docs: list[dict[str, Any]] = [{"text": "a"}, {"text": "reject me"}, {"text": "b"}]
    steps = run_chain(
        [(NotingFirst(), "process"), (Shout(), "process"), (NotingLast(), "process")], docs, {}
    )
    assert seen_by_stages == [
        ("first", "a"),
        ("first", "reject me"),
        ("first", "b"),
        ("last", "A"),
        ("last", "B"),
    ]
    assert [list(its) for its in steps] == [
        ["first", "shout", "last"],
        ["first", "shout"],
        ["first", "shout", "last"],
    ]
    assert steps[1]["shout"].reject == ("too_short", "a test reject")
    assert [doc["text"] for doc in docs] == ["A", "reject me", "B"]


def test_a_batch_of_files_goes_through_the_chain_together_each_file_getting_its_steps(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.txt").write_text("one", encoding="utf-8")
    lines = [json.dumps({"text": text}) + "\n" for text in ("two", "reject me", "three")]
    (tmp_path / "b.jsonl").write_text("".join(lines), encoding="utf-8")
    (tmp_path / "c.txt").write_text("four", encoding="utf-8")
    options = InputOptions(roots=(tmp_path,))
    files = [(file, 0) for file in list_inputs(options)]
    seen_by_stages.clear()
    chain = [(NotingFirst(), "process"), (Shout(), "process"), (NotingLast(), "process")]
    done, counters = ahead.read_and_run(files, chain, read_with(options))
    # Each stage saw the documents of all three files before the next stage saw any.
    firsts = [("first", text) for text in ("one", "two", "reject me", "three", "four")]
    assert seen_by_stages == firsts + [("last", text) for text in ("ONE", "TWO", "THREE", "FOUR")]
    assert [[doc["text"] for doc in read.documents] for read, _ in done] == [
        ["ONE"],
        ["TWO", "reject me", "THREE"],
        ["FOUR"],
    ]
    rejects = [[its["shout"].reject for its in steps] for _, steps in done]
    assert rejects == [[None], [None, ("too_short", "a test reject"), None], [None]]
    assert counters["newspipe/shout/letters"] == len("ONETWOTHREEFOUR")


def test_a_replayed_step_stands_for_process_and_replays_its_reject(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    docs: list[dict[str, Any]] = [{"text": "abc"}, {"text": "reject me"}]
    # as a worker sends them back: the documents as the chain left them, and their steps
    steps = run_chain([(Shout(), "process")], docs, {})
    stage = Shout()
    monkeypatch.setattr(stage, "process", lambda doc: pytest.fail("process ran again"))
    done = stage.process_item({**docs[0], "_ahead": steps[0]})
    assert done["text"] == "ABC" and done["_ahead"] == {}
    with pytest.raises(Reject, match="a test reject"):
        stage.process_item({**docs[1], "_ahead": steps[1]})


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


class Prepares(Stage):
    """Not pure, with a pure ``prepare`` that notes where it ran."""

    name = "prepares"

    def prepare(self, doc: ItemAdapter) -> None:
        doc["_prepared_in"] = os.getpid()

    def process(self, doc: ItemAdapter) -> None:
        doc["prepared_in"] = doc.pop("_prepared_in")


class OnlyOrders:
    """A plain pipeline that holds documents back and changes none (as scale-out's gate)."""

    only_orders = True


def test_the_chain_passes_over_a_pipeline_that_only_orders_documents() -> None:
    clean, shout, prepares = CleanStage(), Shout(), Prepares()
    chain = ahead_chain([clean, OnlyOrders(), shout, prepares])
    assert chain == [(clean, "process"), (shout, "process"), (prepares, "prepare")]
    assert ahead_chain([clean, object(), shout]) == [(clean, "process")]


def test_a_prepare_done_ahead_is_taken_from_its_step_not_done_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    documents: list[dict[str, Any]] = [{"text": "نص"}]
    # as a worker sends it back: the document as the chain left it, and the steps
    [steps] = run_chain([(Prepares(), "prepare")], documents, {})
    item = {**documents[0], "_ahead": steps}
    stage = Prepares()
    prepared_again: list[Any] = []
    monkeypatch.setattr(stage, "prepare", prepared_again.append)
    stage.prepare_item(item)
    assert prepared_again == [] and "prepares" not in item["_ahead"]
    assert stage.process_item(item)["prepared_in"] == os.getpid()
    stage.prepare_item({"text": "نص"})  # nothing done ahead: prepared here
    assert len(prepared_again) == 1


def run_stream(
    runner: AheadRunner, source: Any, consume: Any = None, worth_a_pool: Any = lambda: True
) -> tuple[list[dict[str, Any]], list[int]]:
    """What ``runner.run_stream(source)`` hands on, and the sizes of the batches that came back;
    ``consume(document, count)`` is called with each document as it comes."""
    batches: list[int] = []

    async def collect() -> list[dict[str, Any]]:
        out = []
        stream = runner.run_stream(source, lambda docs: batches.append(len(docs)), worth_a_pool)
        async for document in stream:
            out.append(document)
            if consume is not None:
                consume(document, len(out))
        return out

    async def bounded() -> list[dict[str, Any]]:
        return await asyncio.wait_for(collect(), 20)

    return asyncio.run(bounded()), batches


def test_a_stream_sends_a_batch_out_as_soon_as_its_source_waits() -> None:
    """A scale-out worker takes new units once earlier documents have left the pipeline: the
    documents read before it waits must go out then, not when a batch would be full."""
    handed_on = asyncio.Event()

    async def source() -> Any:
        for number in range(30):
            if number in (10, 25):
                await handed_on.wait()  # until the consumer has every document given so far
                handed_on.clear()
            yield {"path": f"{number:03d}.txt", "text": f"doc {number}"}

    def consume(document: dict[str, Any], count: int) -> None:
        if count in (10, 25):
            handed_on.set()

    runner = AheadRunner([(WherePid(), "process")], workers=1, batch_size=8)
    out, batches = run_stream(runner, source(), consume)
    assert [doc["path"] for doc in out] == [f"{number:03d}.txt" for number in range(30)]
    assert all("where" in doc["_ahead"] for doc in out)
    assert os.getpid() not in {doc["ran_in"] for doc in out}  # all in the worker process
    assert batches == [8, 2, 8, 7, 5]  # full ones, and what was read when the source waited


def test_a_stream_with_too_little_to_do_starts_no_worker_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pools: list[Any] = []
    monkeypatch.setattr(AheadRunner, "_start_pool", lambda *args: pools.append(args))

    async def source() -> Any:
        for number in range(3):
            yield {"text": f"doc {number}"}

    runner = AheadRunner([(Shout(), "process")], workers=1)
    out, batches = run_stream(runner, source(), worth_a_pool=lambda: False)
    assert [doc["text"] for doc in out] == ["doc 0", "doc 1", "doc 2"]  # the pipeline does them
    assert not any("_ahead" in doc for doc in out) and pools == [] and batches == [3]
    # a first batch that fills up at once (a dump, one unit of many lines) is worth a pool
    full = AheadRunner([(Shout(), "process")], workers=1, batch_size=2)
    assert len(run_stream(full, source(), worth_a_pool=lambda: False)[0]) == 3
    assert len(pools) == 1


def test_a_stream_whose_worker_was_killed_comes_out_whole_in_order() -> None:
    async def source() -> Any:
        for number in range(40):
            yield {"text": "die" if number == 9 else f"doc {number}"}
            if number % 4 == 3:
                await asyncio.sleep(0.01)  # a batch of 4 goes out

    runner = AheadRunner([(DiesOnce(), "process")], workers=1, batch_size=4)
    out, _ = run_stream(runner, source())
    expected = ["die" if number == 9 else f"doc {number}" for number in range(40)]
    assert [doc["text"].lower() for doc in out] == expected  # every one once, in order
    pipeline = DiesOnce()
    assert [pipeline.process_item(doc)["text"] for doc in out] == [t.upper() for t in expected]
    assert "_ahead" in out[0] and "_ahead" not in out[-1]  # the rest ran in the pipeline


def test_a_stream_closed_early_stops_its_source() -> None:
    stopped: list[str] = []

    async def source() -> Any:
        try:
            yield {"text": "first"}
            await asyncio.Event().wait()  # a source with nothing more for now
            yield {"text": "never"}
        finally:
            stopped.append("stopped")

    async def first_only() -> tuple[list[dict[str, Any]], list[str]]:
        runner = AheadRunner([(Shout(), "process")], workers=1)
        stream = runner.run_stream(source())
        first = [await anext(stream)]
        await stream.aclose()
        await asyncio.sleep(0)  # the source's own task stops at its next step
        # seen before asyncio.run ends (which would cancel what is left on its own)
        return first, list(stopped)

    first, stopped_then = asyncio.run(first_only())
    assert [doc["text"] for doc in first] == ["FIRST"]
    assert stopped_then == ["stopped"]


def article_lines(sentence: str, count: int) -> list[str]:
    """``count`` JSON Lines of distinct articles made from ``sentence`` (one ``{}`` in it)."""
    return [
        json.dumps({"text": sentence.format(f"رقم {n} " * 3)}, ensure_ascii=False) + "\n"
        for n in range(count)
    ]


def small_files(folder: Path, count: int) -> tuple[list[tuple[Any, int]], Any]:
    """``count`` one-line Arabic files in ``folder``, as a run plans them, and their reader."""
    for number in range(count):
        (folder / f"{number:03d}.txt").write_text(f"نص رقم {number}", encoding="utf-8")
    options = InputOptions(roots=(folder,))
    return [(file, 0) for file in list_inputs(options)], read_with(options)


def documents_of(file: Any, skip: int, read: ReadFile) -> list[dict[str, Any]]:
    return read.documents


def test_the_crawl_process_takes_on_batches_while_the_workers_are_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files, reader = small_files(tmp_path, 60)
    # One batch out at a time: the worker (still starting) is behind from the first batch on.
    monkeypatch.setattr(ahead, "QUEUED_PER_WORKER", 0)
    runner = AheadRunner([(WherePid(), "process")], workers=1, reader=reader)
    tasks = [FileBatch(files[start : start + 4], documents_of, reader) for start in range(0, 60, 4)]

    async def collect() -> list[dict[str, Any]]:
        return [doc async for doc in runner.run_tasks(tasks)]

    out = asyncio.run(collect())
    # In input order, each document once, every one with its step, whoever ran it.
    assert [doc["path"] for doc in out] == [f"{number:03d}.txt" for number in range(60)]
    assert all("where" in doc["_ahead"] for doc in out)
    assert os.getpid() in {doc["ran_in"] for doc in out}  # some batches were done here


def test_a_batch_that_needs_a_model_not_loaded_here_goes_back_to_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files, reader = small_files(tmp_path, 60)
    monkeypatch.setattr(ahead, "QUEUED_PER_WORKER", 0)  # behind from the first batch on
    stats = RecordingStats()
    runner = AheadRunner([(NeedsAModel(), "process")], workers=1, reader=reader, stats=stats)
    tasks = [FileBatch(files[start : start + 4], documents_of, reader) for start in range(0, 60, 4)]

    async def collect() -> list[dict[str, Any]]:
        return [doc async for doc in runner.run_tasks(tasks)]

    out = asyncio.run(collect())
    assert [doc["path"] for doc in out] == [f"{number:03d}.txt" for number in range(60)]
    assert all("model" in doc["_ahead"] for doc in out)  # every one done ahead, none failed
    here = os.getpid()
    assert here in {doc["ran_in"] for doc in out}  # the crawl process took batches...
    # ...but no document that needs the model, nor the rest of its batch
    needing = {index // 4 for index, doc in enumerate(out) if doc["path"].endswith("7.txt")}
    assert all(out[index]["ran_in"] != here for index in range(60) if index // 4 in needing)
    assert ("newspipe/ahead/handed_back", 1) in stats.counters  # the second batch, at least


def test_a_refused_load_stops_the_chain_instead_of_failing_the_stage() -> None:
    docs: list[dict[str, Any]] = [{"path": "001.txt"}, {"path": "007.txt"}]
    with refusing_large_loads(), pytest.raises(LoadRefused, match="the test model"):
        run_chain([(NeedsAModel(), "process")], docs, {})
    [first, second] = run_chain([(NeedsAModel(), "process")], docs, {})  # outside: loaded
    assert not first["model"].failed and not second["model"].failed


def test_a_run_whose_work_is_one_batch_of_small_files_starts_no_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files, reader = small_files(tmp_path, 6)
    pools: list[Any] = []

    class NotedPool(ahead.ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pools.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(ahead, "ProcessPoolExecutor", NotedPool)
    runner = AheadRunner([(WherePid(), "process")], workers=1, reader=reader)

    def collect(tasks: list[FileBatch]) -> list[dict[str, Any]]:
        async def documents() -> list[dict[str, Any]]:
            return [doc async for doc in runner.run_tasks(tasks)]

        return asyncio.run(documents())

    one = collect([FileBatch(files, documents_of, reader)])
    assert [doc["path"] for doc in one] == [f"{number:03d}.txt" for number in range(6)]
    assert {doc["ran_in"] for doc in one} == {os.getpid()} and pools == []
    assert all("where" in doc["_ahead"] for doc in one)  # the worker's steps, made here

    halves = [files[:3], files[3:]]
    two = collect([FileBatch(half, documents_of, reader) for half in halves])
    assert [doc["path"] for doc in two] == [doc["path"] for doc in one]
    assert len(pools) == 1  # more than one batch: the workers start as before
    whole = collect([FileBatch(files, documents_of, reader, weight=2, large=True)])
    assert [doc["path"] for doc in whole] == [doc["path"] for doc in one]
    assert len(pools) == 2  # a file read whole is never the crawl process's


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
        outcome, ran_ahead = crawl_outcome(root, tmp_path / f"out{workers}", workers)
        assert ran_ahead == (8 if workers else 0)
        outcomes.append(outcome)
    assert outcomes[0] == outcomes[1]
    assert len(outcomes[0][0]) == 5


Outcome = tuple[list[dict[str, Any]], list[tuple[str, str, str]], dict[str, Any]]


def crawl_outcome(root: Path, output: Path, workers: int) -> tuple[Outcome, int]:
    """What a crawl of ``root`` gave that must not depend on the workers (kept documents, rejects
    with their reasons, the stages' counters), and how many documents ran ahead."""
    result = crawl(
        {"NEWSPIPE_OUTPUT_DIR": str(output), "NEWSPIPE_WORKERS": workers}, path=str(root)
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
    return (kept, dropped, counters), ran_ahead


@pytest.mark.parametrize(
    ("ending", "workers"),
    [("", 0), ("", 1), (".gz", 0), (".gz", 1), (".bz2", 1), (".xz", 1), (".zst", 1)],
)
def test_a_large_dump_appended_to_is_cut_past_the_lines_read_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ending: str, workers: int
) -> None:
    """A plain dump gets lines at its end; a compressed one (``ending``) gets a stream of its
    own, as ``gzip -c day.jsonl >> dump.jsonl.gz`` adds one: read on from there."""
    from newspipe.spiders import seeds

    # Limits scaled down: the dump goes in pieces (the crawl runs in a fork, which keeps them).
    monkeypatch.setattr(seeds, "SMALL_INPUT", 600)
    monkeypatch.setattr(seeds, "WHOLE_INPUT", 4000)
    monkeypatch.setattr(seeds, "PIECE_BYTES", 1500)
    sentence = "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في المدينة {} لخدمة السكان"
    lines = article_lines(sentence, 60)
    lines[45] = "\n"  # a blank line among the new ones: no document, as ever
    pack = COMPRESS.get(ending, lambda data: data)
    root = tmp_path / "in"
    root.mkdir()
    dump = root / f"dump.jsonl{ending}"
    dump.write_bytes(pack("".join(lines[:40]).encode()))
    output = tmp_path / "out"
    settings = {"NEWSPIPE_OUTPUT_DIR": str(output), "NEWSPIPE_WORKERS": workers}
    first = crawl(settings, path=str(root))
    assert len(first.kept) == 40
    with dump.open("ab") as scraper:
        scraper.write(pack("".join(lines[40:]).encode()))
    noted = tmp_path / "pieces.txt"  # the first line of each piece sent out, noted by the fork

    class NotedPieceBatch(ahead.PieceBatch):
        def __init__(self, file: Any, piece: Any, *args: Any, **kwargs: Any) -> None:
            super().__init__(file, piece, *args, **kwargs)
            with noted.open("a", encoding="utf-8") as out:
                out.write(f"{piece.first_line}\n")

    monkeypatch.setattr(seeds, "PieceBatch", NotedPieceBatch)
    second = crawl(settings, path=str(root))
    assert second.exit_code == 0
    if workers:  # cut from the new lines on: the old ones not read again (with no worker
        # process, the file is read as one stream, the documents done left out unstaged)
        firsts = [int(line) for line in noted.read_text("utf-8").split()]
        assert len(firsts) > 1 and firsts[0] == 41
    assert [doc["path"] for doc in second.kept] == [
        f"dump.jsonl{ending}#{n}" for n in range(41, 61) if n != 46
    ]
    assert not second.dropped
    assert second.stats["newspipe/documents/resumed"] == 40  # done before: left out
    assert second.stats.get("newspipe/ahead/documents", 0) == (19 if workers else 0)
    third = crawl(settings, path=str(root))
    assert not third.kept and not third.dropped  # all 59 documents done: unchanged since
    # the same documents as a first reading of the whole dump gives them: ids, paths, texts
    whole = crawl({**settings, "NEWSPIPE_OUTPUT_DIR": str(tmp_path / "whole")}, path=str(root))
    assert [(doc["id"], doc["path"], doc["text"]) for doc in whole.kept[40:]] == [
        (doc["id"], doc["path"], doc["text"]) for doc in second.kept
    ]


# A plain dump read by the workers is cut in the pass that hashes it: nothing to race there.
@pytest.mark.parametrize(("ending", "workers"), [("", 0), (".gz", 0), (".gz", 1)])
def test_lines_added_to_a_dump_while_it_is_read_are_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ending: str, workers: int
) -> None:
    """A scraper adds lines (a gzip member) after the run took the dump's signature, before its
    reading reached the end: the run reads them too, and records the dump as it read it, so
    that the next runs (with a worker, which read a dump on from where the record ends) do not
    read them again as lines added."""
    from newspipe import manifest
    from newspipe.spiders import seeds

    lines = article_lines("أعلن النادي اليوم عن تعاقده مع مدرب جديد {} لمدة موسمين قادمين", 35)
    pack = COMPRESS.get(ending, lambda data: data)
    root = tmp_path / "in"
    root.mkdir()
    dump = root / f"dump.jsonl{ending}"
    dump.write_bytes(pack("".join(lines[:20]).encode()))
    added = tmp_path / "added"  # the crawl runs in a fork: a file says the scraper has been
    signed = manifest.signature_and_contents

    def signed_then_appended(path: Path, whole_up_to: int = 0) -> Any:
        # as a dump over 1 MiB is: hashed, then read from disk, not from the bytes hashed
        signature = signed(path, 0)
        if path == dump and not added.exists():
            added.touch()
            with dump.open("ab") as scraper:
                scraper.write(pack("".join(lines[20:30]).encode()))
        return signature

    monkeypatch.setattr(manifest, "signature_and_contents", signed_then_appended)
    monkeypatch.setattr(seeds, "signature_and_contents", signed_then_appended)
    monkeypatch.setattr(seeds, "SMALL_INPUT", 100)  # the dump goes in pieces, plain too
    monkeypatch.setattr(seeds, "WHOLE_INPUT", 100)
    settings = {"NEWSPIPE_OUTPUT_DIR": str(tmp_path / "out"), "NEWSPIPE_WORKERS": workers}
    assert len(crawl(settings, path=str(root)).kept) == 30
    settings["NEWSPIPE_WORKERS"] = 1
    again = crawl(settings, path=str(root))
    assert not again.kept and not again.dropped  # read as it was read: nothing added since
    with dump.open("ab") as scraper:
        scraper.write(pack("".join(lines[30:]).encode()))
    grown = crawl(settings, path=str(root))
    assert [doc["path"] for doc in grown.kept] == [f"dump.jsonl{ending}#{n}" for n in range(31, 36)]
    assert not grown.dropped


def test_a_compressed_dump_broken_half_way_is_not_read_again_while_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newspipe.spiders import seeds

    signed = seeds.signature_and_contents
    monkeypatch.setattr(seeds, "signature_and_contents", lambda path: signed(path, 0))
    sentence = "أعلنت الهيئة العامة للإحصاء اليوم نتائج المسح الجديد {} للقوى العاملة"
    lines = article_lines(sentence, 20)
    root = tmp_path / "in"
    root.mkdir()
    (root / "dump.jsonl.gz").write_bytes(
        gzip.compress("".join(lines).encode()) + b"broken" * 200_000
    )
    settings = {"NEWSPIPE_OUTPUT_DIR": str(tmp_path / "out"), "NEWSPIPE_WORKERS": 1}
    first = crawl(settings, path=str(root))
    assert len(first.kept) == 20
    assert [reason for _, reason, _ in first.dropped] == ["malformed"]
    again = crawl(settings, path=str(root))
    assert not again.kept and not again.dropped  # unchanged: skipped, its reject not made again


@pytest.mark.parametrize("workers", [0, 1])
def test_lines_added_to_a_dump_of_blank_lines_all_come_out(tmp_path: Path, workers: int) -> None:
    """Its first run gave one ``empty`` reject, which no line gave: reading on past one document
    would have lost the first new line's."""
    root = tmp_path / "in"
    root.mkdir()
    dump = root / "dump.jsonl"
    dump.write_text("\n\n", encoding="utf-8")
    settings = {"NEWSPIPE_OUTPUT_DIR": str(tmp_path / "out"), "NEWSPIPE_WORKERS": workers}
    first = crawl(settings, path=str(root))
    assert [reason for _, reason, _ in first.dropped] == ["empty"]
    news = [
        "أعلنت وزارة الصحة اليوم افتتاح مستشفى جديد",
        "فاز النادي الأهلي بالمباراة النهائية أمس",
    ]
    with dump.open("a", encoding="utf-8") as scraper:
        scraper.writelines(json.dumps({"text": text}, ensure_ascii=False) + "\n" for text in news)
    second = crawl(settings, path=str(root))
    assert [doc["path"] for doc in second.kept] == ["dump.jsonl#3", "dump.jsonl#4"]
    assert not second.dropped


def test_the_crawl_process_leaves_archives_read_whole_to_the_workers() -> None:
    reader = read_with(InputOptions(roots=()))
    local = ahead._LocalChain(b"", b"")
    assert local.takes(FileBatch([], documents_of, reader))
    assert not local.takes(FileBatch([], documents_of, reader, weight=3, large=True))
    assert not local.takes(None)


def test_weight_of_a_batch_grows_with_its_input_bytes() -> None:
    assert ahead.weight_of(0) == 1  # a batch of rejects still takes its place in the queue
    assert ahead.weight_of(ahead.UNIT_BYTES) == 1
    assert ahead.weight_of(ahead.UNIT_BYTES + 1) == 2
    assert ahead.weight_of(5 * ahead.UNIT_BYTES) == 5


def test_archives_read_whole_by_a_worker_give_the_output_of_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each way a file can go (with small files; read whole, alone; in pieces; streamed here)
    gives the documents, rejects and counters of a run with no worker processes, in order."""
    from newspipe.spiders import seeds

    # Limits scaled down to the files below: the crawl runs in a fork, which keeps them.
    monkeypatch.setattr(seeds, "SMALL_INPUT", 600)
    monkeypatch.setattr(seeds, "WHOLE_INPUT", 4000)
    monkeypatch.setattr(seeds, "PIECE_BYTES", 1500)
    root = tmp_path / "in"
    root.mkdir()
    sentence = "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في المدينة {} لخدمة السكان"
    (root / "a-small.txt").write_text(sentence.format("الأولى"), encoding="utf-8")
    articles = [{"title": f"خبر {n}", "content": sentence.format(n)} for n in range(12)]
    articles.append({"title": "نسخة", "content": sentence.format("الأولى")})  # a duplicate
    articles.append({"title": "فارغ", "content": ""})  # empty: rejected
    with zipfile.ZipFile(root / "b-day.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("day.json", json.dumps(articles, ensure_ascii=False))
    with zipfile.ZipFile(root / "a2-tiny.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("d.json", json.dumps([{"content": sentence.format("الثانية")}]))
    # Small, but its one member expands past WHOLE_INPUT (one way of a zip bomb): that JSON
    # member is read here and its values sent out in pieces.
    repeated = [{"content": sentence.format(f"رقم {n % 5}") + " هنا" * 40} for n in range(20)]
    with zipfile.ZipFile(root / "b2-dense.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("d.json", json.dumps(repeated, ensure_ascii=False))
    lines = [
        json.dumps({"text": sentence.format(f"رقم {n} " * 3)}, ensure_ascii=False)
        for n in range(30)
    ]
    (root / "c-dump.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # Past WHOLE_INPUT, but made of small members: read by the workers in runs of members.
    with zipfile.ZipFile(root / "b3-many.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(24):
            archive.writestr(f"{n:02d}.txt", sentence.format(f"عضو {n} " * 12))
    (root / "c2-blank.jsonl").write_text("\n \n" * 1500, encoding="utf-8")  # no document at all
    # Named JSON Lines, written as one JSON array (pandas' to_json without lines=True): cut as
    # a JSON file's values, not as lines (each would be a malformed reject).
    exported = [{"text": sentence.format(f"مصدرة {n} " * 10)} for n in range(20)]
    (root / "c3-array.jsonl").write_text(json.dumps(exported, ensure_ascii=False), "utf-8")
    # A gzip file's size is not known before it is read: decompressed here, its lines sent out
    # in pieces. One broken half-way ends with the stream's reject, after the lines before it.
    with gzip.open(root / "d-small.jsonl.gz", "wt", encoding="utf-8") as packed:
        packed.write(json.dumps({"text": sentence.format("الرابعة")}, ensure_ascii=False) + "\n")
    broken = gzip.compress(
        "".join(
            json.dumps({"text": sentence.format(f"مكسور {n} " * 3)}, ensure_ascii=False) + "\n"
            for n in range(40)
        ).encode()
    )
    (root / "e-broken.jsonl.gz").write_bytes(broken[: len(broken) // 2])
    # A JSON file past WHOLE_INPUT, and any gzipped one: parsed here to find where its values
    # end, their text sent out in pieces. A malformed value ends it with the stream's reject.
    records = [{"text": sentence.format(f"عنصر {n} " * 12)} for n in range(20)]
    (root / "f-array.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    others = [{"text": sentence.format(f"قائمة {n} " * 8)} for n in range(6)]
    broken_array = json.dumps(others, ensure_ascii=False)[:-1] + ', {"text": oops}]'
    (root / "g-broken.json.gz").write_bytes(gzip.compress(broken_array.encode()))
    options = InputOptions(roots=(root,))
    before_break = len(list(read_input(InputFile(root / "e-broken.jsonl.gz", root), options))) - 1
    assert 0 < before_break < 40
    inputs = {file.path.name: file for file in list_inputs(InputOptions(roots=(root,)))}
    decoded = {name: decoded_size(file) for name, file in inputs.items()}
    assert decoded["a-small.txt"] + decoded["a2-tiny.zip"] <= 600  # type: ignore[operator]
    assert 600 < decoded["b-day.zip"] <= 4000 < decoded["c-dump.jsonl"]  # type: ignore[operator]
    assert decoded["b3-many.zip"] > 4000  # type: ignore[operator]
    assert decoded["c3-array.jsonl"] > 4000  # type: ignore[operator]
    assert inputs["b2-dense.zip"].path.stat().st_size < 1000 < 4000 < decoded["b2-dense.zip"]
    assert decoded["d-small.jsonl.gz"] is None
    # Which files went to the workers to read: noted by the crawl's child process in a file.
    noted = tmp_path / "file-batches.txt"

    class NotedFileBatch(FileBatch):
        def __init__(self, files: list[tuple[Any, int]], *args: Any, **kwargs: Any) -> None:
            super().__init__(files, *args, **kwargs)
            with noted.open("a", encoding="utf-8") as out:
                out.write(" ".join(Path(file.path).name for file, _ in files) + "\n")

    class NotedPieceBatch(ahead.PieceBatch):
        def __init__(self, file: Any, piece: Any, *args: Any, **kwargs: Any) -> None:
            super().__init__(file, piece, *args, **kwargs)
            with noted.open("a", encoding="utf-8") as out:
                if isinstance(piece, LinePiece):
                    where = str(piece.first_line)
                elif isinstance(piece, ValuePiece):
                    where = f"v{piece.values[0][0] if piece.values else '-'}"
                else:
                    where = f"m{piece.first}"
                out.write(f"{Path(file.path).name} {where}\n")

    monkeypatch.setattr(seeds, "FileBatch", NotedFileBatch)
    monkeypatch.setattr(seeds, "PieceBatch", NotedPieceBatch)

    outcomes = []
    for workers in (0, 1):
        outcome, ran_ahead = crawl_outcome(root, tmp_path / f"out{workers}", workers)
        assert ran_ahead == (
            1 + 1 + 14 + 20 + 24 + 30 + 1 + 20 + before_break + 20 + 6 if workers else 0
        )
        outcomes.append(outcome)
    assert outcomes[0] == outcomes[1]
    # Small files (a zip too) in a batch, the larger zip whole and alone, the zip whose one
    # member is too large to hold whole in pieces of its values, the zip of many members in
    # runs of them, the dumps in pieces cut at line ends.
    dense = member_pieces(root / "b2-dense.zip", 1500, 4000, options)
    assert dense is not None and [type(step) for step in dense[1]] == [MemberToCut]
    dense_pieces = zip_pieces(InputFile(root / "b2-dense.zip", root), options, dense[1], 1500)
    pieces = [f"b2-dense.zip v{p.values[0][0]}" for p in dense_pieces if isinstance(p, ValuePiece)]
    assert len(pieces) > 1
    planned = member_pieces(root / "b3-many.zip", 1500, 4000, options)
    assert planned is not None and len(planned[1]) > 1
    runs = [step for step in planned[1] if isinstance(step, MemberPiece)]
    assert runs == planned[1]  # small texts only: no member to cut
    pieces += [f"b3-many.zip m{piece.first}" for piece in runs]
    pieces += [
        f"{name} {piece.first_line}"
        for name in ("c-dump.jsonl", "c2-blank.jsonl")
        for piece in line_pieces(root / name, 1500)[1]  # type: ignore[index]
    ]
    exported_values = json_pieces(InputFile(root / "c3-array.jsonl", root), options, 1500)
    pieces += [f"c3-array.jsonl v{p.values[0][0]}" for p in exported_values]  # type: ignore[union-attr]
    assert sum(name.startswith("c3-array.jsonl") for name in pieces) > 1
    for name in ("d-small.jsonl.gz", "e-broken.jsonl.gz"):
        cut = compressed_line_pieces(InputFile(root / name, root), options, 1500)
        pieces += [f"{name} {p.first_line}" for p in cut or () if isinstance(p, LinePiece)]
    for name in ("f-array.json", "g-broken.json.gz"):
        values = json_pieces(InputFile(root / name, root), options, 1500)
        pieces += [f"{name} v{p.values[0][0]}" for p in values if isinstance(p, ValuePiece)]
    assert sum(name.startswith("f-array.json") for name in pieces) > 1
    assert len(pieces) > 8
    batches = noted.read_text("utf-8").splitlines()
    assert batches == ["a-small.txt a2-tiny.zip", "b-day.zip", *pieces]
    kept, dropped, _ = outcomes[1]
    assert len(kept) == 1 + 1 + 12 + 5 + 24 + 30 + 20 + 1 + before_break + 20 + 6
    assert {doc["path"] for doc in kept} >= {f"c3-array.jsonl#{n}" for n in range(1, 21)}
    reasons = sorted(reason for _, reason, _ in dropped)
    # b2-dense.zip holds 5 texts 20 times; c2-blank.jsonl is one reject, as a stream makes it
    assert reasons == ["duplicate"] * 16 + ["empty"] * 2 + ["malformed"] * 2
    rejected = {(path, reason) for path, reason, _ in dropped}
    assert ("c2-blank.jsonl", "empty") in rejected
    assert (f"e-broken.jsonl.gz#{before_break + 1}", "malformed") in rejected
    assert ("g-broken.json.gz#7", "malformed") in rejected
    # In input order: the small file, the archive's articles, then the dump's lines.
    assert [doc["path"].split("#")[0].split("!")[0] for doc in kept][:3] == [
        "a-small.txt",
        "a2-tiny.zip",
        "b-day.zip",
    ]


def test_what_a_process_built_before_its_run_is_frozen_once() -> None:
    code = (
        "import gc; from newspipe.ahead import collect_garbage_less_often as tune; tune(); "
        "first = gc.get_freeze_count(); later = [[n] for n in range(10_000)]; tune(); "
        "print(first > 0, gc.get_freeze_count() == first, gc.get_threshold()[0])"
    )
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    # A second crawl in the same process leaves the first one's garbage collectable.
    assert printed.stdout.split() == ["True", "True", str(ahead.GC_THRESHOLD)], printed.stderr
