"""Plain functions of the scale-out worker: unit names, settling positions, the gate setting."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.settings import Settings

from newspipe.inputs.read import InputOptions, find_inputs
from newspipe.manifest import InputRecord, Signature
from newspipe.scaleout import worker as worker_module
from newspipe.scaleout.dumps import UnitReader, stored_record
from newspipe.scaleout.worker import (
    GATE_PATH,
    GATE_PRIORITY,
    UNIT_KEY,
    LocalUnit,
    OrderGate,
    add_gate,
    next_stage_with_prepare,
    unit_names,
)
from newspipe.stages.dedup import FINGERPRINT, DedupStage, dedup_lookups
from newspipe.stages.source import SourceStage


def test_positions_settle_in_any_order() -> None:
    unit = LocalUnit(4, "0:a.txt")
    unit.settle(1)
    assert unit.settled_below == 0  # position 0 is still in a stage before the gate
    unit.settle(0)
    assert unit.settled_below == 2
    unit.settle(0)  # it passed the gate, then left the pipeline: no change
    assert (unit.settled_below, unit.settled) == (2, set())


def test_a_unit_is_complete_once_read_and_every_document_done() -> None:
    unit = LocalUnit(0, "0:a.txt", yielded=2, done=2)
    assert not unit.complete()  # the spider may still yield documents of it
    unit.finished_yielding = True
    assert unit.complete()


def test_units_are_named_and_ordered_as_a_single_run_reads(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    for path in [first / "b.txt", first / "a" / "z.txt", second / "c.txt", first / "x.bin"]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("نص", encoding="utf-8")
    names = [name for name, _ in unit_names(InputOptions(roots=(first, second)))]
    # x.bin is a unit too: it becomes an `unsupported` reject, never a silent skip
    assert names == ["0:a/z.txt", "0:b.txt", "0:x.bin", "1:c.txt"]


def test_the_gate_joins_the_pipelines_only_with_a_redis_state() -> None:
    settings = Settings({"ITEM_PIPELINES": {"my.Stage": 250}})
    add_gate(settings)
    assert GATE_PATH not in settings.getdict("ITEM_PIPELINES")
    settings.set("NEWSPIPE_STATE", "redis://127.0.0.1:6379/0", priority="cmdline")
    add_gate(settings)
    assert settings.getdict("ITEM_PIPELINES") == {"my.Stage": 250, GATE_PATH: GATE_PRIORITY}
    assert settings.getpriority("ITEM_PIPELINES") == 30  # above the project's, as custom_settings


def test_what_was_read_of_a_dump_is_stored_as_text_and_read_back() -> None:
    read = InputRecord(Signature(1234, 5, "0f" * 16), 7, True)
    assert stored_record(read.to_json()) == read
    assert stored_record(read.to_json().encode("ascii")) == read  # as redis-py may answer
    # anything else (a hand-made value, a record cut short): read the file whole
    for value in (None, "", "12 ab 3", '{"size": 12}', b"\xff\xfe"):
        assert stored_record(value) is None


def _documents(path: Path, earlier: InputRecord | None = None) -> tuple[list[str], UnitReader]:
    options = InputOptions(roots=(path.parent,))
    (found,) = [f for f in find_inputs(path.parent) if f.path == path]
    reader = UnitReader(found, options, earlier)
    return [str(doc.get("path")) for doc in reader.documents()], reader


def test_a_dump_is_read_on_past_what_was_read_only_when_its_first_bytes_are_those(
    tmp_path: Path,
) -> None:
    dump = tmp_path / "d.jsonl"
    line = '{"text": "خبر رقم %d عن افتتاح مستشفى جديد في المدينة"}\n'
    dump.write_text("".join(line % n for n in range(3)), encoding="utf-8")
    paths, reader = _documents(dump)
    assert paths == ["d.jsonl#1", "d.jsonl#2", "d.jsonl#3"] and reader.skipped == 0
    first = reader.read
    assert first is not None and (first.signature.size, first.docs_done) == (dump.stat().st_size, 3)
    with dump.open("a", encoding="utf-8") as scraper:
        scraper.write(line % 3)
    paths, reader = _documents(dump, first)
    assert paths == ["d.jsonl#4"] and reader.skipped == 3
    assert reader.read is not None and reader.read.docs_done == 4
    # the bytes read before are not the file's first bytes any more: all of it is read
    other = InputRecord(Signature(first.signature.size, 0, "00" * 16), 3, True)
    paths, reader = _documents(dump, other)
    assert paths == [f"d.jsonl#{n}" for n in (1, 2, 3, 4)] and reader.skipped == 0


def test_only_a_plain_json_lines_unit_gets_a_record(tmp_path: Path) -> None:
    array = tmp_path / "a.jsonl"  # a JSON array named .jsonl: read as JSON, never "grown"
    array.write_text('[{"text": "خبر عن افتتاح مستشفى جديد في المدينة"}]', encoding="utf-8")
    text = tmp_path / "b.txt"
    text.write_text("خبر عن افتتاح مستشفى جديد في المدينة", encoding="utf-8")
    for path in (array, text):
        paths, reader = _documents(path)
        assert len(paths) == 1 and reader.read is None


class FakeCrawler:
    """What the gate reads of a crawler: the item pipelines, in order (and a weak reference)."""

    def __init__(self, *components: object) -> None:
        itemproc = SimpleNamespace(middlewares=components)
        self.engine = SimpleNamespace(scraper=SimpleNamespace(itemproc=itemproc))


def crawler_with_pipelines(*components: object) -> Any:
    return FakeCrawler(*components)


def test_the_gate_prepares_the_next_stage_before_the_document_waits() -> None:
    dedup = DedupStage()
    gate = OrderGate(crawler_with_pipelines())
    gate.crawler = crawler_with_pipelines(object(), gate, dedup, SourceStage())
    assert next_stage_with_prepare(gate.crawler, gate) is dedup
    document = {"id": "d", "text": "نص الخبر الأول عن الاقتصاد في المملكة اليوم", UNIT_KEY: (0, 0)}
    gate._prepare_next(document)
    text, fingerprint = document[FINGERPRINT]
    assert text is document["text"]
    assert dedup_lookups(document) == (
        fingerprint.content_hash,
        fingerprint.band_keys,
        list(set(fingerprint.passages.prints)),
    )
    document["text"] = "نص آخر"  # changed since: dedup computes it again, nothing to read ahead
    assert dedup_lookups(document) is None


def test_a_document_waits_at_the_gate_with_its_fingerprint_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dedup = DedupStage()
    gate = OrderGate(crawler_with_pipelines())
    gate.crawler = crawler_with_pipelines(gate, dedup)
    seen: list[bool] = []

    class Waiting:
        async def admit(self, item: dict[str, Any]) -> None:
            seen.append(FINGERPRINT in item)

    monkeypatch.setitem(worker_module._WORKERS, gate.crawler, Waiting())
    document = {"id": "d", "text": "خبر عن الطقس في الرياض وجدة والدمام اليوم", UNIT_KEY: (0, 0)}
    assert asyncio.run(gate.process_item(document)) is document
    assert seen == [True]


def test_the_gate_prepares_nothing_when_no_stage_with_prepare_follows_it() -> None:
    gate = OrderGate(crawler_with_pipelines())
    for after in ([SourceStage()], [object(), DedupStage()], []):
        gate.crawler = crawler_with_pipelines(gate, *after)
        assert next_stage_with_prepare(gate.crawler, gate) is None
    assert next_stage_with_prepare(crawler_with_pipelines(DedupStage()), gate) is None
