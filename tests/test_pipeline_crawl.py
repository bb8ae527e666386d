"""Layer 3: in-process crawls of the seeds spider, items collected from Scrapy's signals."""

from __future__ import annotations

import errno
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from newspipe.recorder import RunRecorder
from newspipe.shards import ShardFile
from tests.conftest import SEEDS
from tests.crawling import crawl


def seed_copy(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    shutil.copytree(SEEDS, root)
    return root


def test_seed_articles_pass_every_stage(tmp_path: Path) -> None:
    result = crawl({"NEWSPIPE_OUTPUT_DIR": str(tmp_path / "out")}, path=str(seed_copy(tmp_path)))
    assert result.exit_code == 0
    assert len(result.kept) == 5 and not result.dropped and not result.errors
    assert {doc["lang"] for doc in result.kept} == {"ar"}
    assert {doc["source"] for doc in result.kept} == {"in"}
    for stage in ("clean", "language", "dedup", "source"):
        assert result.stats[f"newspipe/{stage}/total"] == 5
        assert result.stats[f"newspipe/{stage}/forwarded"] == 5


def test_source_argument_and_subfolders(tmp_path: Path) -> None:
    root = seed_copy(tmp_path)
    outlet = root / "okaz"
    outlet.mkdir()
    (outlet / "x.txt").write_text(
        "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في مدينة جدة", encoding="utf-8"
    )
    result = crawl({"NEWSPIPE_OUTPUT_DIR": str(tmp_path / "out")}, path=str(root), source="spa")
    by_path = result.kept_by_path
    assert by_path["okaz/x.txt"]["source"] == "okaz"
    assert {doc["source"] for path, doc in by_path.items() if "/" not in path} == {"spa"}


def test_exact_copy_in_the_same_run_is_a_duplicate(tmp_path: Path) -> None:
    root = seed_copy(tmp_path)
    original = sorted(root.glob("*.txt"))[0]
    (root / "zz_copy.txt").write_text(original.read_text("utf-8") + "\n\n", encoding="utf-8")
    result = crawl({"NEWSPIPE_OUTPUT_DIR": str(tmp_path / "out")}, path=str(root))
    assert len(result.kept) == 5
    [(doc, reason, _detail)] = result.dropped
    assert reason == "duplicate" and doc["path"] == "zz_copy.txt"
    assert doc["duplicate_of"] == result.kept_by_path[original.name]["id"]
    assert result.stats["newspipe/dedup/dropped/duplicate"] == 1


def test_english_document_is_rejected_for_language_unless_all_languages_are_kept(
    tmp_path: Path,
) -> None:
    root = seed_copy(tmp_path)
    (root / "en.txt").write_text(
        "The ministry of health announced on Sunday the opening of a new hospital in the city.",
        encoding="utf-8",
    )
    result = crawl({"NEWSPIPE_OUTPUT_DIR": str(tmp_path / "out")}, path=str(root))
    assert result.reasons == {"en.txt": "language"}
    everything = crawl(
        {"NEWSPIPE_OUTPUT_DIR": str(tmp_path / "out2"), "NEWSPIPE_LANGUAGES": ""}, path=str(root)
    )
    assert everything.kept_by_path["en.txt"]["lang"] == "en"


def test_an_unexpected_error_while_finishing_fails_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_summary(self: RunRecorder) -> None:
        raise RuntimeError("a bug in the summary")

    monkeypatch.setattr(RunRecorder, "_log_summary", broken_summary)  # the forked crawl has it
    out = tmp_path / "out"
    result = crawl({"NEWSPIPE_OUTPUT_DIR": str(out)}, path=str(seed_copy(tmp_path)))
    assert result.exit_code == 1  # not 0, as a completed run would
    assert not (out / "latest.json").exists()
    assert not list(out.glob(".*.lock"))  # the lock is released all the same


class _FullDisk:
    """A file whose buffered bytes can go nowhere: closing it fails as writing did."""

    def __init__(self, raw: object) -> None:
        self.raw = raw

    def close(self) -> None:
        self.raw.close()  # type: ignore[attr-defined]
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_fails_the_run_and_leaves_no_file_under_a_final_name_nor_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = seed_copy(tmp_path)
    (root / "zz_copy.txt").write_bytes(sorted(root.glob("*.txt"))[0].read_bytes())  # a reject
    written = 0
    real_write = ShardFile.write

    def write(shard: ShardFile, record: dict[str, object]) -> None:
        nonlocal written
        written += 1
        if written > 5:  # the kept and rejects files are both open by then
            shard._raw = _FullDisk(shard._raw)  # type: ignore[assignment]
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(shard, record)

    monkeypatch.setattr(ShardFile, "write", write)  # the crawl runs in a fork: it keeps this
    out = tmp_path / "out"
    result = crawl({"NEWSPIPE_OUTPUT_DIR": str(out), "NEWSPIPE_WORKERS": 0}, path=str(root))
    assert result.exit_code == 1
    [manifest] = [json.loads(path.read_text("utf-8")) for path in (out / "runs").glob("*.json")]
    assert manifest["status"] == "failed"
    assert manifest["error"].endswith("cannot write output: [Errno 28] No space left on device")
    assert manifest["files"] == []  # no documents committed: no clusters or overlaps of them
    left = sorted(path.name for path in out.iterdir() if path.is_file())
    assert left == ["newspipe-state.sqlite"]  # no shard, no temp file aside, no latest.json


def test_a_state_store_failing_under_the_run_fails_it_in_one_line_with_a_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newspipe.state.sqlite import SqliteState

    kept = 0
    real_add_kept = SqliteState.add_kept

    def add_kept(store: SqliteState, *args: object) -> None:
        nonlocal kept
        kept += 1
        if kept > 2:  # as SQLite says it when its disk is full, and rolls back on its own
            store._db.execute("ROLLBACK")
            raise sqlite3.OperationalError("database or disk is full")
        real_add_kept(store, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(SqliteState, "add_kept", add_kept)  # kept by the crawl's fork
    out = tmp_path / "out"
    result = crawl({"NEWSPIPE_OUTPUT_DIR": str(out), "NEWSPIPE_WORKERS": 0}, path=str(SEEDS))
    assert result.exit_code == 1
    assert result.errors == []  # no document ended in a traceback
    [manifest] = [json.loads(path.read_text("utf-8")) for path in (out / "runs").glob("*.json")]
    assert (manifest["status"], manifest["error"]) == (
        "failed",
        "state store: database or disk is full",
    )
    assert not list(out.glob("seeds-*.jsonl"))  # nothing committed under a final name
