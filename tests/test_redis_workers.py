"""Several real ``scrapy crawl seeds`` workers sharing a real redis-server: exactly once.

The input is the 12 SaudiNewsNet days written as ``.txt`` files: the first articles of every day
plus every article whose text appears more than once in the corpus (so that copies land in units
that different workers take). The reference is a single run with the SQLite state.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newspipe.shards import SHARD_NAME
from tests.conftest import PROJECT_ROOT, SAUDINEWSNET, need
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.corpus]

#: Articles of each day in the test input (besides every article that has a copy); set
#: NEWSPIPE_WORKERS_TEST_FIRST=100000 to run the tests on all 20,070 articles of the 12 days.
FIRST_PER_DAY = int(os.environ.get("NEWSPIPE_WORKERS_TEST_FIRST", "25"))
LEASE_SECONDS = "2"
TIMEOUT = 120 if FIRST_PER_DAY <= 100 else 1200
#: Small shards: workers commit many times mid-run (whole units only), not once at the end.
SHARD_DOCS = "40"


def write_corpus(target: Path) -> int:
    """The test input as one ``.txt`` per article (title, blank line, content); their number."""
    days: list[tuple[str, list[dict[str, Any]]]] = []
    for archive in sorted(SAUDINEWSNET.glob("*.zip")):
        with zipfile.ZipFile(archive) as zipped:
            articles = [a for name in zipped.namelist() for a in json.loads(zipped.read(name))]
        days.append((archive.stem, articles))
    bodies = collections.Counter(
        " ".join((a.get("content") or "").split()) for _, articles in days for a in articles
    )
    written = 0
    for day, articles in days:
        for number, article in enumerate(articles):
            body = " ".join((article.get("content") or "").split())
            if number < FIRST_PER_DAY or (body and bodies[body] > 1):
                path = target / day / str(article["source"]) / f"{number:05d}.txt"
                path.parent.mkdir(parents=True, exist_ok=True)
                text = f"{article.get('title') or ''}\n\n{article.get('content') or ''}"
                path.write_text(text, encoding="utf-8")
                written += 1
    return written


@dataclass
class Project:
    """A temporary copy of the project and the corpus, and how to start a worker on it."""

    root: Path
    corpus: Path
    runs: Path

    def worker(
        self,
        name: str,
        state: str,
        *,
        output: str | None = None,
        path: str | None = None,
        **settings: str,
    ) -> subprocess.Popen[bytes]:
        """Start ``scrapy crawl seeds``, logging to ``name.log``, writing to ``output``
        (default: ``name``) under the runs folder, reading ``path`` (default: the corpus)."""
        args = [
            sys.executable,
            "-m",
            "scrapy.cmdline",
            "crawl",
            "seeds",
            "-a",
            f"path={path or self.corpus}",
            "-s",
            f"NEWSPIPE_OUTPUT_DIR={self.runs / (output or name)}",
            "-s",
            f"NEWSPIPE_STATE={state}",
            "-s",
            f"NEWSPIPE_LEASE_SECONDS={LEASE_SECONDS}",
            "-s",
            f"NEWSPIPE_SHARD_DOCS={SHARD_DOCS}",
            "-s",
            "LOG_LEVEL=INFO",
        ]
        for key, value in settings.items():
            args += ["-s", f"{key}={value}"]
        self.runs.mkdir(parents=True, exist_ok=True)
        log = (self.runs / f"{name}.log").open("wb")
        env = {**os.environ, "PYTHONPATH": str(self.root)}
        return subprocess.Popen(args, cwd=self.root, env=env, stdout=log, stderr=log)

    def log(self, name: str) -> str:
        return (self.runs / f"{name}.log").read_text(errors="replace")


@dataclass
class Output:
    """What the runs under some run folders committed (every shard under its final name)."""

    kept: list[str]
    rejected: list[str]
    #: id -> (reason, duplicate_of) of every exact and near copy
    copies: dict[str, tuple[str, str]]
    manifests: list[dict[str, Any]]


def read_outputs(folders: list[Path]) -> Output:
    """Every committed shard: a shard has its final name only once committed with the state, so
    that is the output, whatever became of its run (completed, failed or killed)."""
    out = Output([], [], {}, [])
    for folder in folders:
        for manifest_path in sorted((folder / "runs").glob("*.json")):
            out.manifests.append(json.loads(manifest_path.read_text(encoding="utf-8")))
        for path in sorted(folder.glob("seeds-*.jsonl")):
            match = SHARD_NAME.match(path.name)
            assert match is not None, path
            records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            if not match["rejects"]:
                out.kept.extend(record["id"] for record in records)
                continue
            out.rejected.extend(record["id"] for record in records)
            out.copies.update(
                (r["id"], (r["reject_reason"], r["duplicate_of"]))
                for r in records
                if r["reject_reason"] in {"duplicate", "near_duplicate"}
            )
    return out


def wait(process: subprocess.Popen[bytes]) -> int:
    return process.wait(timeout=TIMEOUT)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    need(
        SAUDINEWSNET.is_dir() and any(SAUDINEWSNET.glob("*.zip")),
        f"the SaudiNewsNet corpus is not at {SAUDINEWSNET}",
    )
    need(shutil.which("redis-server") is not None, "redis-server is not installed")
    base = tmp_path_factory.mktemp("scaleout")
    root = base / "project"
    root.mkdir()
    shutil.copy(PROJECT_ROOT / "scrapy.cfg", root / "scrapy.cfg")
    shutil.copytree(
        PROJECT_ROOT / "newspipe", root / "newspipe", ignore=shutil.ignore_patterns("__pycache__")
    )
    corpus = base / "corpus"
    assert write_corpus(corpus) > 1000
    return Project(root, corpus, base / "runs")


@pytest.fixture(scope="module")
def single_run(project: Project) -> Output:
    """The reference: one worker, SQLite state."""
    state = project.runs / "single" / "state.sqlite"
    assert wait(project.worker("single", str(state))) == 0, project.log("single")
    output = read_outputs([project.runs / "single"])
    reasons = {reason for reason, _ in output.copies.values()}
    assert reasons == {"duplicate", "near_duplicate"}, "the test input must contain both copies"
    return output


@pytest.fixture
def redis_server(project: Project, tmp_path: Path) -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    assert binary is not None
    with RedisServer(binary, tmp_path / "redis", durable=True, password="s3cret-pw") as server:
        yield server


def turn_reached(server: RedisServer, fraction: float) -> bool:
    """True once the batch's decisions have reached ``fraction`` of its units."""
    import redis

    client = redis.Redis.from_url(server.url(), decode_responses=True)
    try:
        for key in client.scan_iter("newspipe:*:batch:*:info"):
            size = int(client.hget(key, "size") or 0)
            turn = int(client.get(key.removesuffix("info") + "turn") or 0)
            return size > 0 and turn >= size * fraction
        return False
    finally:
        client.close()


def wait_for_turn(server: RedisServer, fraction: float, *workers: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not turn_reached(server, fraction):
        assert time.monotonic() < deadline, "the workers made no progress"
        assert all(w.poll() is None for w in workers), "a worker ended before the test could act"
        time.sleep(0.1)


def assert_exactly_once(single: Output, workers: Output) -> None:
    counts = collections.Counter(workers.kept + workers.rejected)
    assert [doc for doc, n in counts.items() if n > 1] == []
    assert set(workers.kept) == set(single.kept)
    assert set(workers.rejected) == set(single.rejected)
    assert workers.copies == single.copies


def test_three_workers_keep_what_one_sqlite_run_keeps(
    project: Project, single_run: Output, redis_server: RedisServer
) -> None:
    names = ["three-1", "three-2", "three-3"]
    workers = [project.worker(name, redis_server.url()) for name in names]
    codes = [wait(w) for w in workers]
    assert codes == [0, 0, 0], [project.log(n)[-3000:] for n in names]
    output = read_outputs([project.runs / name for name in names])
    assert all(read_outputs([project.runs / n]).kept for n in names), "a worker kept nothing"
    assert_exactly_once(single_run, output)
    assert all("s3cret-pw" not in project.log(n) for n in names)
    assert all("s3cret-pw" not in json.dumps(m) for m in output.manifests)


def test_a_worker_killed_mid_run_leaves_its_units_to_others(
    project: Project, single_run: Output, redis_server: RedisServer
) -> None:
    names = ["kill-1", "kill-2", "kill-3"]
    workers = [project.worker(name, redis_server.url()) for name in names]
    wait_for_turn(redis_server, 0.3, *workers)
    workers[0].send_signal(signal.SIGKILL)
    assert wait(workers[0]) == -signal.SIGKILL
    fresh = project.worker("kill-fresh", redis_server.url())
    codes = [wait(w) for w in [*workers[1:], fresh]]
    assert codes == [0, 0, 0], [project.log(n)[-3000:] for n in [*names[1:], "kill-fresh"]]
    killed = project.runs / "kill-1"
    assert not (killed / "runs").exists(), "the killed worker wrote a manifest"
    assert list(killed.glob("seeds-*.jsonl")), "the worker was killed before committing anything"
    # Killed between its Redis commit and the renames, the worker left committed documents in
    # temp files: the next run on its output dir renames them (recover()), as cron's would.
    settles = project.worker("kill-1-settles", redis_server.url(), output="kill-1")
    assert wait(settles) == 0, project.log("kill-1-settles")
    assert not list(killed.glob(".seeds-*.tmp")), "temp files not settled"
    statuses = [json.loads(p.read_text("utf-8"))["status"] for p in (killed / "runs").glob("*")]
    assert sorted(statuses) == ["completed", "interrupted"]
    folders = [project.runs / n for n in [*names, "kill-fresh"]]
    assert_exactly_once(single_run, read_outputs(folders))
    assert "taking over unit" in "".join(project.log(n) for n in [*names[1:], "kill-fresh"])


def test_redis_killed_mid_run_fails_the_run_and_the_next_run_finishes(
    project: Project, single_run: Output, redis_server: RedisServer
) -> None:
    names = ["gone-1", "gone-2"]
    workers = [project.worker(name, redis_server.url()) for name in names]
    wait_for_turn(redis_server, 0.3, *workers)
    redis_server.kill()
    started = time.monotonic()
    assert [wait(w) for w in workers] == [1, 1]
    assert time.monotonic() - started < 30
    failed = read_outputs([project.runs / n for n in names])
    assert [m["status"] for m in failed.manifests] == ["failed", "failed"]
    # A failed run leaves no temp file but those of a commit Redis died during: whether it
    # landed is not known, so they stay for the next run on that output to settle (recover()).
    in_flight = []
    for name in names:
        temps = list((project.runs / name).glob(".seeds-*.tmp"))
        assert len(temps) <= 2, f"a failed run left temp files: {temps}"  # one shard: kept, rejects
        if temps:
            in_flight.append(name)
    for manifest in failed.manifests:
        assert "Redis unavailable" in manifest["error"]
        assert "s3cret-pw" not in json.dumps(manifest)
    assert all("s3cret-pw" not in project.log(n) for n in names)

    redis_server.start()
    assert wait(project.worker("gone-again", redis_server.url())) == 0, project.log("gone-again")
    for name in in_flight:
        again = f"{name}-settles"
        assert wait(project.worker(again, redis_server.url(), output=name)) == 0, project.log(again)
        assert not list((project.runs / name).glob(".seeds-*.tmp")), "temp files not settled"
    completed = read_outputs([project.runs / n for n in [*names, "gone-again"]])
    assert_exactly_once(single_run, completed)


@dataclass
class Subset:
    """Two days of the test input, and the single SQLite run over them."""

    path: Path
    single: Output


@pytest.fixture(scope="module")
def subset(project: Project) -> Subset:
    path = project.runs / "subset-input"
    for day in sorted(project.corpus.iterdir())[:2]:
        shutil.copytree(day, path / day.name)
    state = project.runs / "subset-single" / "state.sqlite"
    single = project.worker("subset-single", str(state), path=str(path))
    assert wait(single) == 0, project.log("subset-single")
    return Subset(path, read_outputs([project.runs / "subset-single"]))


def test_two_workers_sharing_one_output_dir_both_run(
    project: Project, subset: Subset, redis_server: RedisServer
) -> None:
    """On one machine (or shared storage) workers may write to the same folder: each holds a lock
    of its own run, not the folder's, and neither takes the other's shards for a dead run's."""
    workers = [
        project.worker(name, redis_server.url(), output="shared", path=str(subset.path))
        for name in ("shared-1", "shared-2")
    ]
    codes = [wait(w) for w in workers]
    assert codes == [0, 0], [project.log(n)[-3000:] for n in ("shared-1", "shared-2")]
    shared = read_outputs([project.runs / "shared"])
    assert sorted(m["status"] for m in shared.manifests) == ["completed", "completed"]
    assert all(m["documents"]["kept"] > 0 for m in shared.manifests), "a worker kept nothing"
    assert_exactly_once(subset.single, shared)
    assert not list((project.runs / "shared").glob(".seeds-*.tmp"))


def test_workers_with_a_long_lease_exit_together_once_the_batch_is_done(
    project: Project, subset: Subset, redis_server: RedisServer
) -> None:
    """A worker with nothing left to take waits for a renewal of the others' leases (they may
    have died) before it exits; the others, done too, renew at once rather than a third of the
    lease later (200 s here, the time each of these workers used to wait)."""
    names = ("long-lease-1", "long-lease-2")
    started = time.monotonic()
    workers = [
        project.worker(
            name,
            redis_server.url(namespace="long"),
            path=str(subset.path),
            NEWSPIPE_LEASE_SECONDS="600",
        )
        for name in names
    ]
    codes = [wait(w) for w in workers]
    elapsed = time.monotonic() - started
    assert codes == [0, 0], [project.log(n)[-3000:] for n in names]
    assert elapsed < 100, f"the workers took {elapsed:.0f} s"
    assert_exactly_once(subset.single, read_outputs([project.runs / n for n in names]))


def test_a_worker_that_lost_its_leases_fails_and_commits_nothing_more(
    project: Project, subset: Subset, redis_server: RedisServer
) -> None:
    """A worker stopped for longer than its lease (SIGSTOP: a hung machine) is presumed dead; its
    units go to the other worker. When it wakes up it fails (exit 1, a manifest) and its late
    commit applies nothing: still exactly once."""
    names = ["stopped", "other"]
    workers = [project.worker(n, redis_server.url(), path=str(subset.path)) for n in names]
    wait_for_turn(redis_server, 0.2, *workers)
    workers[0].send_signal(signal.SIGSTOP)
    time.sleep(float(LEASE_SECONDS) * 2.5)
    workers[0].send_signal(signal.SIGCONT)
    codes = [wait(w) for w in workers]
    assert codes == [1, 0], [project.log(n)[-3000:] for n in names]
    stopped = json.loads(next((project.runs / "stopped" / "runs").glob("*.json")).read_text())
    assert stopped["status"] == "failed"
    assert "taken over" in stopped["error"]
    assert not list((project.runs / "stopped").glob(".seeds-*.tmp"))
    assert_exactly_once(subset.single, read_outputs([project.runs / n for n in names]))
