"""Layer 4: the real ``scrapy crawl seeds`` on a temporary copy of the project."""

from __future__ import annotations

from pathlib import Path

import pytest

from newspipe.document import RECORD_FIELDS
from tests.subprocess_run import copy_project, scrapy_crawl

DIACRITICS_AND_TATWEEL = {chr(c) for c in range(0x064B, 0x0660)} | {"\u0670", "\u0640"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def test_seed_articles_end_to_end_then_again(project: Path) -> None:
    first = scrapy_crawl(project)
    assert first.exit_code == 0, first.stderr[-3000:]
    manifest = first.last_manifest()
    assert manifest["status"] == "completed"
    kept = first.kept(manifest["run_id"])
    assert len(kept) == 5
    for record in kept:
        assert list(record)[: len(RECORD_FIELDS)] == list(RECORD_FIELDS)
        assert record["lang"] == "ar"
        assert 0.0 <= record["lang_score"] <= 1.0
        assert not DIACRITICS_AND_TATWEEL & set(record["text"])
        assert record["source"] == "seeds"
        assert record["path"].endswith(".txt") and "/" not in record["path"]
        assert record["run_id"] == manifest["run_id"]
        assert len(record["content_hash"]) == 32
        assert record["duplicate_of"] is None and record["similarity"] is None
    assert len({r["id"] for r in kept}) == 5

    second = scrapy_crawl(project)
    assert second.exit_code == 0, second.stderr[-3000:]
    run_id = second.last_manifest()["run_id"]
    assert run_id != manifest["run_id"]
    assert second.kept(run_id) == []
    # Each seed comes back either skipped as already ingested or rejected as a duplicate.
    second_manifest = second.last_manifest()
    rejected = second.rejected(run_id)
    assert all(r["reject_reason"] == "duplicate" for r in rejected)
    assert {r["duplicate_of"] for r in rejected} <= {r["id"] for r in kept}
    assert len(rejected) + second_manifest["inputs"]["skipped"] == 5


def test_bad_seed_files_are_rejected_with_reasons_and_the_run_goes_on(project: Path) -> None:
    seeds = project / "seeds"
    (seeds / "empty.txt").write_bytes(b"")
    (seeds / "blank.txt").write_text("  \n\t\n", encoding="utf-8")
    (seeds / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (seeds / "cp1256.txt").write_bytes("الرياض عاصمة المملكة العربية السعودية".encode("cp1256"))
    (seeds / "not-utf8.txt").write_bytes(bytes(range(128, 256)))  # no code page reads this

    run = scrapy_crawl(project)

    assert run.exit_code == 0, run.stderr[-3000:]
    run_id = run.last_manifest()["run_id"]
    kept = {record["path"]: record for record in run.kept(run_id)}
    assert len(kept) == 6
    assert kept["cp1256.txt"]["text"] == "الرياض عاصمة المملكة العربية السعودية"
    assert kept["cp1256.txt"]["encoding"].lower().replace("-", "") in {"cp1256", "windows1256"}
    reasons = {r["path"]: r["reject_reason"] for r in run.rejected(run_id)}
    assert reasons["empty.txt"] == "empty"
    assert reasons["blank.txt"] == "empty"
    assert reasons["binary.txt"] == "binary"
    assert reasons["not-utf8.txt"] == "undecodable"
    assert "cp1256.txt" not in reasons
    for record in run.rejected(run_id):
        assert record["reject_detail"] and " " in record["reject_detail"]
        assert record["run_id"] == run_id


def test_missing_input_root_fails_with_exit_1(project: Path) -> None:
    run = scrapy_crawl(project, "-a", "path=does-not-exist")
    assert run.exit_code == 1
    manifest = run.last_manifest()
    assert manifest["status"] == "failed"
    assert "does-not-exist" in manifest["error"]
    assert not list(run.output_dir.glob("seeds-*.jsonl")) or run.kept() == []


def test_a_bad_setting_is_one_line_and_exit_1_before_anything_is_read(project: Path) -> None:
    run = scrapy_crawl(project, "-s", "NEWSPIPE_WORKERS=two")
    assert run.exit_code == 1
    errors = [line for line in run.stderr.splitlines() if " ERROR: " in line]
    assert [line.split(" ERROR: ", 1)[1] for line in errors] == [
        "bad setting: NEWSPIPE_WORKERS must be auto or a whole number, got 'two'"
    ]
    assert "Traceback" not in run.stderr
    assert not list(run.output_dir.glob("**/*.json*"))  # no run began: no output, no manifest


def test_an_empty_seed_folder_completes_and_the_log_says_nothing_was_found(
    project: Path,
) -> None:
    (project / "empty").mkdir()
    run = scrapy_crawl(project, "-a", "path=empty")
    assert run.exit_code == 0
    assert run.last_manifest()["status"] == "completed"
    assert "WARNING: no input files were found: nothing was read" in run.stderr
    assert scrapy_crawl(project).exit_code == 0  # the seeds read once, then
    again = scrapy_crawl(project)  # skipped as unchanged: found all the same, no warning
    assert again.exit_code == 0 and "no input files were found" not in again.stderr
