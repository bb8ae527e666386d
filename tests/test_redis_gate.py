"""Plain functions of the scale-out worker: unit names, settling positions, the gate setting."""

from __future__ import annotations

from pathlib import Path

from scrapy.settings import Settings

from newspipe.inputs.read import InputOptions
from newspipe.scaleout.worker import GATE_PATH, GATE_PRIORITY, LocalUnit, add_gate, unit_names


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
