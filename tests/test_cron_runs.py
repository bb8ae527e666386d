"""``scrapy crawl seeds`` as cron runs it: a subprocess on a temporary copy of the project.

Two runs in a row, a new file, an edited file, two runs at once, a failed run, gzip output.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.subprocess_run import copy_project

SCRAPY = [sys.executable, "-m", "scrapy.cmdline"]


def project_copy(tmp: Path) -> Path:
    """A copy of the project (package, scrapy.cfg, setup.cfg, seeds) under ``tmp``."""
    return copy_project(tmp / "project")


@dataclass
class Finished:
    code: int
    log: str


def crawl_command(
    project: Path, *settings: str, run_id: str = ""
) -> tuple[list[str], dict[str, str]]:
    args = [*SCRAPY, "crawl", "seeds", "-s", "LOG_LEVEL=INFO"]
    if run_id:
        args += ["-s", f"NEWSPIPE_RUN_ID={run_id}"]
    for setting in settings:
        args += ["-s", setting]
    env = {**os.environ, "PYTHONPATH": str(project)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    return args, env


def scrapy_crawl(project: Path, *settings: str, run_id: str = "", timeout: float = 300) -> Finished:
    """Run ``scrapy crawl seeds`` in ``project``; its exit status and log (stderr)."""
    args, env = crawl_command(project, *settings, run_id=run_id)
    done = subprocess.run(
        args, cwd=project, env=env, capture_output=True, text=True, timeout=timeout
    )
    return Finished(done.returncode, done.stderr)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as file:
        return [json.loads(line) for line in file]


def manifest(project: Path, run_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project / "output" / "runs" / f"{run_id}.json").read_text())
    return data


def output_records(output: Path, kind: str) -> list[dict[str, Any]]:
    """Every record of every final file of ``kind`` (kept or rejects) in ``output``."""
    records: list[dict[str, Any]] = []
    for path in sorted(output.glob("seeds-*.jsonl*")):
        if (".rejects." in path.name) == (kind == "rejects"):
            records.extend(read_jsonl(path))
    return records


def test_second_run_reads_nothing_new(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    first = scrapy_crawl(project, run_id="run1")
    assert first.code == 0, first.log
    second = scrapy_crawl(project, run_id="run2")
    assert second.code == 0, second.log

    one, two = manifest(project, "run1"), manifest(project, "run2")
    assert one["status"] == two["status"] == "completed"
    assert one["inputs"] == {"total": 5, "read": 5, "skipped": 0}
    assert one["documents"]["kept"] == 5
    assert two["inputs"] == {"total": 5, "read": 0, "skipped": 5}
    assert two["documents"] == {"read": 0, "kept": 0, "rejected": 0, "rejected_by_reason": {}}
    # Every completed run has its kept and rejects files, empty when there is nothing in them.
    assert [(f["kind"], f["lines"]) for f in two["files"]] == [("kept", 0), ("rejects", 0)]
    documents = [(f["kind"], f["lines"]) for f in one["files"] if f["kind"] in {"kept", "rejects"}]
    assert documents == [("kept", 5), ("rejects", 0)]
    latest = json.loads((project / "output" / "latest.json").read_text())
    assert latest["run_id"] == "run2"
    assert "5 skipped as unchanged" in second.log


def test_only_a_new_file_is_read(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    assert scrapy_crawl(project, run_id="run1").code == 0
    new_text = (
        "هذا خبر جديد عن افتتاح مكتبة عامة كبيرة في وسط المدينة يوم الخميس المقبل بحضور المسؤولين."
    )
    (project / "seeds" / "new.txt").write_text(new_text, encoding="utf-8")
    second = scrapy_crawl(project, run_id="run2")
    assert second.code == 0, second.log

    two = manifest(project, "run2")
    assert two["inputs"] == {"total": 6, "read": 1, "skipped": 5}
    kept = read_jsonl(project / "output" / "seeds-run2.jsonl")
    assert [doc["path"] for doc in kept] == ["new.txt"]


def test_an_edited_file_is_read_again_and_its_duplicate_found(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    assert scrapy_crawl(project, run_id="run1").code == 0
    edited = sorted((project / "seeds").glob("*.txt"))[0]
    # Same words, other spacing: a new version of the file whose normalised text is the same.
    edited.write_text(edited.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    second = scrapy_crawl(project, run_id="run2")
    assert second.code == 0, second.log

    two = manifest(project, "run2")
    assert two["inputs"]["read"] == 1 and two["inputs"]["skipped"] == 4
    assert two["documents"]["rejected_by_reason"] == {"duplicate": 1}
    (reject,) = read_jsonl(project / "output" / "seeds-run2.rejects.jsonl")
    assert reject["path"] == edited.name
    assert reject["reject_reason"] == "duplicate"
    first_kept = {
        doc["path"]: doc["id"] for doc in read_jsonl(project / "output" / "seeds-run1.jsonl")
    }
    assert reject["duplicate_of"] == first_kept[edited.name]


@pytest.mark.parametrize("name", ["daily.jsonl", "daily.jsonl.gz"])
def test_a_dump_appended_to_gives_only_its_new_lines(tmp_path: Path, name: str) -> None:
    project = project_copy(tmp_path)
    seeds = sorted((project / "seeds").glob("*.txt"))
    articles = [{"text": path.read_text(encoding="utf-8")} for path in seeds]
    dump = project / "seeds" / name
    lines = [json.dumps(article, ensure_ascii=False) + "\n" for article in articles]
    # gzip's "a" mode adds a member of its own, as `gzip -c day.jsonl >> daily.jsonl.gz` does
    opener = gzip.open if name.endswith(".gz") else open
    with opener(dump, "wt", encoding="utf-8") as scraper:
        scraper.write("".join(lines[:3]))
    for path in seeds:
        path.unlink()
    assert scrapy_crawl(project, run_id="run1").code == 0
    with opener(dump, "at", encoding="utf-8") as scraper:  # the next day's, added at the end
        scraper.write("".join(lines[3:]))
    second = scrapy_crawl(project, run_id="run2")
    assert second.code == 0, second.log
    assert "lines added since it was ingested" in second.log
    kept = [doc["path"] for doc in read_jsonl(project / "output" / "seeds-run2.jsonl")]
    assert kept == [f"{name}#4", f"{name}#5"]
    # the first three are not read again, so not rejected again as copies of themselves
    assert read_jsonl(project / "output" / "seeds-run2.rejects.jsonl") == []
    assert manifest(project, "run2")["documents"]["read"] == 2


def test_a_touched_but_unchanged_file_is_skipped(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    assert scrapy_crawl(project, run_id="run1").code == 0
    touched = sorted((project / "seeds").glob("*.txt"))[1]
    os.utime(touched, (time.time() + 100, time.time() + 100))  # mtime differs, content does not
    second = scrapy_crawl(project, run_id="run2")
    assert second.code == 0
    assert manifest(project, "run2")["inputs"] == {"total": 5, "read": 0, "skipped": 5}


def many_seeds(project: Path, count: int) -> None:
    """``count`` distinct Arabic documents, so that a run lasts a few seconds."""
    base = [p.read_text(encoding="utf-8") for p in sorted((project / "seeds").glob("*.txt"))]
    folder = project / "seeds" / "many"
    folder.mkdir()
    for index in range(count):
        text = base[index % len(base)] + f"\nرقم الخبر {index} من {count}"
        (folder / f"{index:05d}.txt").write_text(text, encoding="utf-8")


def test_two_runs_started_together_one_exits_75(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    many_seeds(project, 800)
    env_args = [crawl_command(project, run_id=run_id) for run_id in ("runa", "runb")]
    procs = [
        subprocess.Popen(
            args, cwd=project, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
        )
        for args, env in env_args
    ]
    logs = [proc.communicate(timeout=300)[1] for proc in procs]
    codes = [proc.returncode for proc in procs]
    assert sorted(codes) == [0, 75], logs
    loser = codes.index(75)
    winner_id, loser_id = ("runa", "runb") if loser == 1 else ("runb", "runa")
    message = [line for line in logs[loser].splitlines() if "holds the lock" in line]
    assert len(message) == 1
    assert f"run {winner_id}" in message[0] and "pid " in message[0] and "started " in message[0]
    output = project / "output"
    assert not (output / "runs" / f"{loser_id}.json").exists()  # nothing done
    assert not list(output.glob(f"seeds-{loser_id}*"))
    assert manifest(project, winner_id)["documents"]["read"] == 805
    # The lock is gone with its holder: the next run goes ahead.
    assert scrapy_crawl(project, run_id="runc").code == 0


def test_a_lock_left_by_a_dead_run_is_taken_over(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    output = project / "output"
    output.mkdir(exist_ok=True)
    holder = {
        "pid": int(dead.stdout),
        "host": os.uname().nodename,
        "started": time.time(),
        "run_id": "dead",
    }
    (output / ".newspipe.lock").write_text(json.dumps(holder))
    finished = scrapy_crawl(project, run_id="run1")
    assert finished.code == 0, finished.log
    assert "taking over the lock" in finished.log
    assert not (output / ".newspipe.lock").exists()


def test_a_failed_run_exits_1_and_writes_its_manifest(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    finished = scrapy_crawl(project, "NEWSPIPE_SEEDS=no-such-folder", run_id="run1")
    assert finished.code == 1
    failed = manifest(project, "run1")
    assert failed["status"] == "failed"
    assert "no-such-folder" in failed["error"]
    assert not (project / "output" / "latest.json").exists()  # a failed run is never "latest"


def test_gzip_shards_listed_in_the_manifest(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    (project / "seeds" / "copy.txt").write_bytes(
        sorted((project / "seeds").glob("*.txt"))[0].read_bytes()
    )
    finished = scrapy_crawl(
        project, "NEWSPIPE_OUTPUT_GZIP=true", "NEWSPIPE_SHARD_DOCS=2", run_id="run1"
    )
    assert finished.code == 0, finished.log
    files = [f for f in manifest(project, "run1")["files"] if f["kind"] in {"kept", "rejects"}]
    names = [f["path"] for f in files]
    assert all(name.endswith(".jsonl.gz") for name in names)
    assert sum(f["lines"] for f in files if f["kind"] == "kept") == 5
    assert sum(f["lines"] for f in files if f["kind"] == "rejects") == 1
    for entry in files:
        assert 0 < entry["lines"] <= 2
        assert len(read_jsonl(project / "output" / entry["path"])) == entry["lines"]
    assert sorted(names) == sorted(p.name for p in (project / "output").glob("seeds-*"))
