"""``kill -9`` at random moments over the 12 SaudiNewsNet days, each followed by a normal run.

Whatever the moment, the union of the kept files must hold every unique document exactly once,
the rejects the rest, and no partial file may sit under a final name.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import subprocess
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from tests.test_cron_runs import crawl_command, output_records, project_copy, scrapy_crawl


def copy_days(corpus: Path, seed_root: Path) -> int:
    """The 12 days as the corpus ships them (a zip a day, read whole by a worker process)."""
    seed_root.mkdir(parents=True)
    count = 0
    for archive in sorted(corpus.glob("*.zip")):
        (seed_root / archive.name).write_bytes(archive.read_bytes())
        with zipfile.ZipFile(archive) as zipped:
            count += sum(len(json.loads(zipped.read(member))) for member in zipped.namelist())
    return count


def write_articles(corpus: Path, seed_root: Path) -> int:
    """The SaudiNewsNet articles as one .txt file each under ``seed_root/<source>/``."""
    count = 0
    for archive in sorted(corpus.glob("*.zip")):
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.namelist():
                for index, article in enumerate(json.loads(zipped.read(member))):
                    folder = seed_root / (article.get("source") or "unknown")
                    folder.mkdir(parents=True, exist_ok=True)
                    name = f"{archive.stem}-{index:05d}.txt"
                    (folder / name).write_text(article.get("content") or "", encoding="utf-8")
                    count += 1
    return count


def one_zip(corpus: Path, seed_root: Path) -> int:
    """The 12 days' files in one zip (71 MB uncompressed: the workers read it in runs of its
    members)."""
    seed_root.mkdir(parents=True)
    count = 0
    with zipfile.ZipFile(seed_root / "days.zip", "w", zipfile.ZIP_DEFLATED) as days:
        for archive in sorted(corpus.glob("*.zip")):
            with zipfile.ZipFile(archive) as zipped:
                for member in zipped.namelist():
                    data = zipped.read(member)
                    days.writestr(member, data)
                    count += len(json.loads(data))
    return count


def write_dump(corpus: Path, seed_root: Path) -> int:
    """The 12 days as one JSON Lines dump (70 MB: the workers read it in pieces of 1 MiB)."""
    seed_root.mkdir(parents=True)
    count = 0
    with (seed_root / "dump.jsonl").open("w", encoding="utf-8") as dump:
        for archive in sorted(corpus.glob("*.zip")):
            with zipfile.ZipFile(archive) as zipped:
                for member in zipped.namelist():
                    for article in json.loads(zipped.read(member)):
                        dump.write(json.dumps(article, ensure_ascii=False) + "\n")
                        count += 1
    return count


def write_gzipped_dump(corpus: Path, seed_root: Path) -> int:
    """The same dump gzipped (decompressed by the crawl process, its lines sent in pieces)."""
    count = write_dump(corpus, seed_root)
    dump = seed_root / "dump.jsonl"
    (seed_root / "dump.jsonl.gz").write_bytes(gzip.compress(dump.read_bytes(), compresslevel=1))
    dump.unlink()
    return count


def write_zipped_dump(corpus: Path, seed_root: Path) -> int:
    """The dump in a zip (its one member is read by the crawl process, its lines sent in
    pieces)."""
    count = write_dump(corpus, seed_root)
    dump = seed_root / "dump.jsonl"
    with zipfile.ZipFile(seed_root / "dump.zip", "w", zipfile.ZIP_DEFLATED) as packed:
        packed.write(dump, "dump.jsonl")
    dump.unlink()
    return count


def write_array(corpus: Path, seed_root: Path) -> int:
    """The 12 days as one JSON array (70 MB: the crawl process finds its values, the workers
    make their documents, in pieces of 1 MiB)."""
    seed_root.mkdir(parents=True)
    articles = []
    for archive in sorted(corpus.glob("*.zip")):
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.namelist():
                articles += json.loads(zipped.read(member))
    (seed_root / "dump.json").write_text(json.dumps(articles, ensure_ascii=False), "utf-8")
    return len(articles)


def wait_for_file(folder: Path, pattern: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while not any(folder.glob(pattern)) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize(
    "form", ["txt", "zip", "one zip", "jsonl", "jsonl.gz", "json", "zipped jsonl"]
)
def test_kill_9_at_random_points_loses_and_doubles_nothing(
    saudinewsnet_dir: Path, tmp_path: Path, form: str
) -> None:
    project = project_copy(tmp_path)
    prepare = {
        "txt": write_articles,
        "zip": copy_days,
        "one zip": one_zip,
        "jsonl": write_dump,
        "jsonl.gz": write_gzipped_dump,
        "json": write_array,
        "zipped jsonl": write_zipped_dump,
    }[form]
    total = prepare(saudinewsnet_dir, project / "corpus")
    settings = (
        "NEWSPIPE_SEEDS=corpus",
        "NEWSPIPE_SHARD_DOCS=500",
    )
    rng = random.Random(int(os.environ.get("NEWSPIPE_KILL_SEED", "7")))
    killed = []
    for attempt in range(int(os.environ.get("NEWSPIPE_KILL_COUNT", "3"))):
        args, env = crawl_command(project, *settings, run_id=f"killed{attempt}")
        proc = subprocess.Popen(
            args, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if attempt:
            # Once the run has committed a shard: mid-run, inside a commit, or in a rename.
            wait_for_file(project, f"output/seeds-killed{attempt}-*", proc)
            time.sleep(rng.uniform(0.0, 3.0))
        else:
            time.sleep(rng.uniform(0.5, 4.0))  # at start-up, recovery or the first shard
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        if proc.returncode == -signal.SIGKILL:
            killed.append(f"killed{attempt}")
    assert len(killed) >= 2, "the runs ended before the kill: this test would mean nothing"

    final = scrapy_crawl(project, *settings, run_id="final")
    assert final.code == 0, final.log[-3000:]

    output = project / "output"
    assert not list(output.glob(".*.tmp")), "a temp file survived the recovery"
    kept = output_records(output, "kept")  # every final file parses: no partial line
    rejects = output_records(output, "rejects")

    # Every input document is accounted for exactly once: kept or rejected.
    paths = Counter(doc["path"] for doc in kept + rejects)
    assert len(paths) == total
    assert max(paths.values()) == 1, paths.most_common(3)
    # Each unique document is kept once; each copy points at a kept one.
    kept_ids = Counter(doc["id"] for doc in kept)
    assert max(kept_ids.values()) == 1
    assert len({doc["content_hash"] for doc in kept}) == len(kept)
    for doc in rejects:
        if doc["reject_reason"] in {"duplicate", "near_duplicate"}:
            assert doc["duplicate_of"] in kept_ids
    reasons = Counter(doc["reject_reason"] for doc in rejects)
    assert set(reasons) <= {"duplicate", "near_duplicate", "empty", "language"}

    # The manifests of all runs (killed ones included) list exactly the files on disk.
    listed = {}
    for manifest_file in (output / "runs").glob("*.json"):
        run = json.loads(manifest_file.read_text())
        assert run["status"] in {"completed", "interrupted"}
        listed.update({f["path"]: f["lines"] for f in run["files"]})
    on_disk = {
        p.name: len(p.read_text().splitlines())
        for pattern in ("seeds-*.jsonl", "clusters-*.jsonl", "overlaps-*.jsonl")
        for p in output.glob(pattern)
    }
    assert listed == on_disk
    # A run killed says so (recorded by the run after it; one killed while starting up may have
    # left nothing to record, one killed while exiting had completed). One that ended before its
    # kill (little was left to do) completed.
    statuses = {
        run["run_id"]: run["status"]
        for run in (json.loads(p.read_text()) for p in (output / "runs").glob("killed*.json"))
    }
    assert all(status == "completed" for run, status in statuses.items() if run not in killed)
    assert "interrupted" in statuses.values()
