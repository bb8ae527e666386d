"""Throughput and memory of the real ``scrapy crawl seeds`` against a bare Scrapy spider.

Prepares the SaudiNewsNet days from ``../shared/data/saudinewsnet`` as ``.txt`` files (one folder
per outlet) under a temporary seed root, with ``--form zip`` as the original zips, with
``--form onezip`` as their files in one zip (71 MB uncompressed for 12 days), with
``--form jsonl`` as one JSON Lines dump (70 MB), with ``--form jsonl.gz`` as that dump gzipped,
with ``--form json`` as one JSON array of the articles (70 MB), or with ``--form zipdump`` as
that JSON Lines dump zipped, then times, in the same sitting and several times each:

- the yardstick: a bare Scrapy spider that yields the same articles as items into a JSON Lines
  feed (each file, each article of each zip, or each line of the dump);
- newspipe: ``scrapy crawl seeds`` with default settings and a fresh state (and, with
  ``--backend fasttext``, the fast profile).

It prints documents per second, the ratio of the two times, peak RSS (of the crawl process and its
pool workers), the per-stage time from the run's stats, and, last, one line with the figure set.

    python bench/pipeline_bench.py                 # 12 days, default backend, 3 runs each
    python bench/pipeline_bench.py --backend fasttext --days 4 --repeat 5
    python bench/pipeline_bench.py --form zip      # the days as the corpus ships them
    python bench/pipeline_bench.py --form jsonl    # the days as one JSON Lines dump
    python bench/pipeline_bench.py --form jsonl.gz # the same dump, gzipped
    python bench/pipeline_bench.py --form json     # the days as one JSON array
    python bench/pipeline_bench.py --form zipdump  # the JSON Lines dump in a zip
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT.parent / "shared" / "data" / "saudinewsnet"

YARDSTICK = """
import gzip
import json
import zipfile
from pathlib import Path
import scrapy

class Yardstick(scrapy.Spider):
    name = "yardstick"
    custom_settings = {"LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
                       "FEED_EXPORT_ENCODING": "utf-8"}

    async def start(self):
        for path in sorted(Path(self.root).rglob("*.txt")):
            yield {"path": str(path), "text": path.read_text("utf-8")}
        for path in sorted(Path(self.root).rglob("*.zip")):
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    if member.endswith(".jsonl"):
                        with archive.open(member) as lines:
                            for n, line in enumerate(lines):
                                article = json.loads(line)
                                yield {"path": f"{path}!{member}#{n + 1}",
                                       "text": article.get("content")}
                        continue
                    for n, article in enumerate(json.loads(archive.read(member))):
                        yield {"path": f"{path}!{member}#{n + 1}", "text": article.get("content")}
        for path in sorted(Path(self.root).rglob("*.json")):
            with open(path, encoding="utf-8") as array:
                for n, article in enumerate(json.load(array)):
                    yield {"path": f"{path}#{n + 1}", "text": article.get("content")}
        for path in sorted(Path(self.root).rglob("*.jsonl*")):
            opener = gzip.open if path.suffix == ".gz" else open
            with opener(path, "rt", encoding="utf-8") as lines:
                for n, line in enumerate(lines):
                    yield {"path": f"{path}#{n + 1}", "text": json.loads(line).get("content")}
"""


#: Not passed to the timed runs. PYTHONDONTWRITEBYTECODE: a machine that sets it (this project's
#: does) has every run compile newspipe's modules from source again, in the crawl process and in
#: its worker; an installed newspipe run from cron loads them from Python's bytecode cache.
CHILD_ENV_DROPPED = frozenset({"SCRAPY_SETTINGS_MODULE", "PYTHONDONTWRITEBYTECODE"})


@dataclass
class Timing:
    seconds: float
    peak_rss_mb: float
    stats: dict[str, Any]


def prepare(days: int, into: Path, form: str) -> tuple[Path, int]:
    """The first ``days`` days of the corpus as ``into/txt/OUTLET/DAY_N.txt`` (``txt``), as the
    corpus ships them, one zip a day (``zip``), their files in one zip (``onezip``), as one
    dump, an article a line (``jsonl``, gzipped: ``jsonl.gz``, zipped: ``zipdump``), or as one
    JSON array (``json``); the root and the number of articles."""
    if form == "zip":
        root = into / "zip"
        root.mkdir()
        count = 0
        for archive in sorted(CORPUS.glob("*.zip"))[:days]:
            shutil.copy(archive, root / archive.name)
            with zipfile.ZipFile(archive) as zipped:
                count += sum(len(json.loads(zipped.read(member))) for member in zipped.namelist())
        return root, count
    if form == "onezip":
        root = into / "onezip"
        root.mkdir()
        count = 0
        with zipfile.ZipFile(root / "days.zip", "w", zipfile.ZIP_DEFLATED) as days_zip:
            for archive in sorted(CORPUS.glob("*.zip"))[:days]:
                with zipfile.ZipFile(archive) as zipped:
                    for member in zipped.namelist():
                        data = zipped.read(member)
                        days_zip.writestr(member, data)
                        count += len(json.loads(data))
        return root, count
    if form == "json":
        root = into / "json"
        root.mkdir()
        articles = []
        for archive in sorted(CORPUS.glob("*.zip"))[:days]:
            with zipfile.ZipFile(archive) as zipped:
                for member in zipped.namelist():
                    articles += json.loads(zipped.read(member))
        (root / "dump.json").write_text(json.dumps(articles, ensure_ascii=False), "utf-8")
        return root, len(articles)
    if form == "zipdump":
        dumped, count = prepare(days, into, "jsonl")
        root = into / "zipdump"
        root.mkdir()
        with zipfile.ZipFile(root / "dump.zip", "w", zipfile.ZIP_DEFLATED) as packed:
            packed.write(dumped / "dump.jsonl", "dump.jsonl")
        shutil.rmtree(dumped)
        return root, count
    if form in ("jsonl", "jsonl.gz"):
        root = into / "jsonl"
        root.mkdir()
        count = 0
        opener = gzip.open if form == "jsonl.gz" else open
        with opener(root / f"dump.{form}", "wt", encoding="utf-8") as dump:
            for archive in sorted(CORPUS.glob("*.zip"))[:days]:
                with zipfile.ZipFile(archive) as zipped:
                    for member in zipped.namelist():
                        for article in json.loads(zipped.read(member)):
                            dump.write(json.dumps(article, ensure_ascii=False) + "\n")
                            count += 1
        return root, count
    root = into / "txt"
    count = 0
    for archive in sorted(CORPUS.glob("*.zip"))[:days]:
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.namelist():
                for n, article in enumerate(json.loads(zipped.read(member))):
                    folder = root / (article.get("source") or "unknown")
                    folder.mkdir(parents=True, exist_ok=True)
                    (folder / f"{archive.stem}_{n:05d}.txt").write_text(
                        article.get("content") or "", encoding="utf-8"
                    )
                    count += 1
    return root, count


def tree_rss_mb(root_pid: int) -> float:
    """Memory of a process and all its descendants (MB), read from /proc.

    Summed as PSS (proportional set size), so pages that forked pool workers share with the
    main process are counted once, not once per process.
    """
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
    tree = {root_pid}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    total_kb = 0
    for pid in tree:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total_kb += int(line.split()[1])
                break
    return total_kb / 1024


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB: the process and its pool workers, summed, sampled)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=stderr, text=True
        )
        peak = 0.0
        while process.poll() is None:
            peak = max(peak, tree_rss_mb(process.pid))
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        if process.returncode != 0:
            stderr.seek(0)
            raise SystemExit(
                f"{' '.join(command)} exited {process.returncode}:\n{stderr.read()[-3000:]}"
            )
    return seconds, peak


def run_yardstick(root: Path, work: Path) -> Timing:
    spider = work / "yardstick.py"
    spider.write_text(YARDSTICK, encoding="utf-8")
    out = work / "yardstick.jsonl"
    out.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in CHILD_ENV_DROPPED}
    seconds, rss = timed(
        [
            sys.executable,
            "-m",
            "scrapy",
            "runspider",
            str(spider),
            "-a",
            f"root={root}",
            "-O",
            f"{out}:jsonlines",
        ],
        cwd=work,
        env=env,
    )
    return Timing(seconds, rss, {})


def newspipe_command(root: Path, output: Path, backend: str, extra: list[str]) -> list[str]:
    """``scrapy crawl seeds`` on ``root`` into ``output``, with ``extra`` settings (NAME=VALUE)."""
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "seeds",
        "-a",
        f"path={root}",
        "-s",
        f"NEWSPIPE_OUTPUT_DIR={output}",
        "-s",
        f"NEWSPIPE_LANGID_BACKEND={backend}",
        "-s",
        "LOG_LEVEL=WARNING",
    ]
    for setting in extra:
        command += ["-s", setting]
    return command


def child_env() -> dict[str, str]:
    """The environment of a benchmarked run: this checkout's newspipe, bytecode cached."""
    env = {k: v for k, v in os.environ.items() if k not in CHILD_ENV_DROPPED}
    env["PYTHONPATH"] = str(PROJECT)
    return env


def run_newspipe(root: Path, work: Path, backend: str, extra: list[str]) -> Timing:
    output = work / "output"
    shutil.rmtree(output, ignore_errors=True)
    command = newspipe_command(root, output, backend, extra)
    seconds, rss = timed(command, cwd=PROJECT, env=child_env())
    manifests = sorted((output / "runs").glob("*.json"))
    stats = json.loads(manifests[-1].read_text("utf-8")) if manifests else {}
    return Timing(seconds, rss, stats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backend", default="langdetect", choices=["langdetect", "fasttext"])
    parser.add_argument("--setting", action="append", default=[], help="NAME=VALUE for newspipe")
    parser.add_argument("--skip-yardstick", action="store_true")
    parser.add_argument(
        "--form",
        default="txt",
        choices=["txt", "zip", "onezip", "jsonl", "jsonl.gz", "json", "zipdump"],
        help="one .txt an article, the zips, their files in one zip, one JSON Lines dump, "
        "that dump gzipped, one JSON array, or the dump zipped",
    )
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"the corpus is not at {CORPUS}")

    with tempfile.TemporaryDirectory(prefix="newspipe-bench-") as tmp:
        work = Path(tmp)
        root, documents = prepare(args.days, work, args.form)
        print(f"prepared {documents} articles from {args.days} days under {root}", flush=True)
        yard: list[Timing] = []
        ours: list[Timing] = []
        for attempt in range(args.repeat):
            # Interleaved, so both see the same machine load.
            if not args.skip_yardstick:
                yard.append(run_yardstick(root, work))
            ours.append(run_newspipe(root, work, args.backend, args.setting))
            line = f"run {attempt + 1}: newspipe {ours[-1].seconds:.1f} s"
            if yard:
                line += f", yardstick {yard[-1].seconds:.1f} s"
            print(line, flush=True)

    newspipe_s = statistics.median(t.seconds for t in ours)
    peak = max(t.peak_rss_mb for t in ours)
    rate = documents / newspipe_s
    last = ours[-1].stats
    print(f"\nnewspipe ({args.backend}): median {newspipe_s:.2f} s, {rate:.0f} articles/s")
    if yard:
        yard_s = statistics.median(t.seconds for t in yard)
        print(f"yardstick spider: median {yard_s:.2f} s, {documents / yard_s:.0f} articles/s")
        print(f"ratio newspipe / yardstick: {newspipe_s / yard_s:.2f}")
    print(f"peak memory (PSS of the crawl and its workers, largest of the runs): {peak:.0f} MB")
    documents_stats = last.get("documents", {})
    print(
        f"kept {documents_stats.get('kept')}, rejected {documents_stats.get('rejected_by_reason')}"
    )
    for stage, counters in last.get("stages", {}).items():
        seconds = counters.get("seconds")
        if seconds is not None and counters.get("total"):
            per_doc = 1000 * seconds / counters["total"]
            print(f"  stage {stage:<10} {seconds:7.2f} s  {per_doc:.3f} ms/doc")
    ratio = f" ratio={newspipe_s / statistics.median(t.seconds for t in yard):.2f}" if yard else ""
    print(
        f"FIGURES form={args.form} days={args.days} docs={documents} backend={args.backend} "
        f"seconds={newspipe_s:.2f} rate={rate:.0f}/s peak_rss_mb={peak:.0f}{ratio}"
    )


if __name__ == "__main__":
    main()
