"""Throughput of scale-out workers sharing one Redis, and of the nightly batch after it.

Prepares the SaudiNewsNet days from ``../shared/data/saudinewsnet`` as ``.txt`` files (one folder
per outlet, as ``pipeline_bench.py --form txt`` does), starts a throwaway ``redis-server`` (no
persistence), then, several times each and with a fresh namespace every time:

- N workers (``scrapy crawl seeds`` with ``NEWSPIPE_STATE=redis://...``, one output dir each)
  started together on the same inputs, timed until the last one exits;
- the next night: one new article added beside the others (with ``--form jsonl``, the days as one
  JSON Lines dump: one line appended to it; with ``--form jsonl.gz``, that dump gzipped: the line
  appended as a gzip member of its own), one worker started again on the namespace, timed (it
  should read that file only; that line only).

It prints documents per second for each number of workers, the nightly batch's time and what it
read, and, last, one line with the figure set.

    python bench/scaleout_bench.py                  # 12 days, 1 and 2 workers, 3 runs each
    python bench/scaleout_bench.py --days 4 --workers 1,2,4 --repeat 1
    python bench/scaleout_bench.py --form jsonl --workers 1   # a dump appended to nightly
    python bench/scaleout_bench.py --form jsonl.gz --workers 1   # the same, gzipped
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline_bench import CORPUS, PROJECT, child_env, newspipe_command, prepare

NEW_ARTICLE = (
    "قال المتحدث الرسمي باسم الوزارة إن نتائج الدراسة الجديدة حول جودة المياه في المدن الساحلية "
    "ستعلن الأسبوع المقبل بعد مراجعتها من لجنة مستقلة"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_redis(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--dir", str(folder), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            return server, port
        except redis.ConnectionError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("redis-server did not start")


#: What the next night brings, by input form.
NIGHTLY = {
    "txt": "one new file",
    "jsonl": "one line appended",
    "jsonl.gz": "one line appended, gzipped on its own",
}
#: Its name in the figure set (``nightly_one_file`` as before there were two forms).
NIGHTLY_FIGURE = {
    "txt": "nightly_one_file",
    "jsonl": "nightly_one_line",
    "jsonl.gz": "nightly_one_gzipped_line",
}


@contextlib.contextmanager
def next_night(root: Path, form: str) -> Iterator[None]:
    """The inputs with one new article (a new file, or a line appended to the dump), then as
    they were again."""
    if form == "txt":
        added = root / "sabq" / "new-article.txt"
        added.write_text(NEW_ARTICLE, encoding="utf-8")
        try:
            yield
        finally:
            added.unlink()
        return
    dump = root / f"dump.{form}"
    size = dump.stat().st_size
    line = json.dumps({"source": "sabq", "content": NEW_ARTICLE}, ensure_ascii=False) + "\n"
    with dump.open("ab") as scraper:  # gzipped: a member of its own, as `gzip -c >>` adds
        scraper.write(gzip.compress(line.encode()) if form == "jsonl.gz" else line.encode())
    try:
        yield
    finally:
        with dump.open("r+b") as restored:
            restored.truncate(size)


def run_workers(
    count: int, root: Path, work: Path, url: str, extra: list[str]
) -> tuple[float, dict[str, int]]:
    """Wall seconds until ``count`` workers started together have all exited, and the kept and
    rejected documents and inputs read over their manifests."""
    env = child_env()
    outputs = [work / f"out-{uuid.uuid4().hex[:8]}" for _ in range(count)]
    started = time.perf_counter()
    workers = [
        subprocess.Popen(
            newspipe_command(root, output, "fasttext", [f"NEWSPIPE_STATE={url}", *extra]),
            cwd=PROJECT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for output in outputs
    ]
    for worker in workers:
        _, stderr = worker.communicate()
        if worker.returncode != 0:
            raise SystemExit(f"a worker exited {worker.returncode}:\n{stderr.decode()[-3000:]}")
    seconds = time.perf_counter() - started
    totals = {"kept": 0, "rejected": 0, "inputs_read": 0}
    for output in outputs:
        for manifest in (output / "runs").glob("*.json"):
            record = json.loads(manifest.read_text("utf-8"))
            documents = record.get("documents", {})
            totals["kept"] += documents.get("kept", 0)
            totals["rejected"] += documents.get("rejected", 0)
            totals["inputs_read"] += record.get("inputs", {}).get("read", 0)
        shutil.rmtree(output)
    return seconds, totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", default="1,2", help="numbers of workers, comma-separated")
    parser.add_argument("--setting", action="append", default=[], help="NAME=VALUE for newspipe")
    parser.add_argument(
        "--form",
        default="txt",
        choices=["txt", "jsonl", "jsonl.gz"],
        help="one .txt an article (the next night: a new file), or one JSON Lines dump (the next "
        "night: a line appended), or that dump gzipped (the line appended as a gzip member)",
    )
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"the corpus is not at {CORPUS}")
    counts = [int(value) for value in args.workers.split(",")]

    with tempfile.TemporaryDirectory(prefix="newspipe-scaleout-") as tmp:
        work = Path(tmp)
        root, documents = prepare(args.days, work, args.form)
        print(f"prepared {documents} articles from {args.days} days under {root}", flush=True)
        server, port = start_redis(work)
        client = redis.Redis(port=port)
        times: dict[int, list[float]] = {count: [] for count in counts}
        nightly: list[float] = []
        try:
            for attempt in range(args.repeat):
                for count in counts:
                    client.flushall()
                    url = f"redis://127.0.0.1:{port}/0/bench{attempt}x{count}"
                    seconds, totals = run_workers(count, root, work, url, args.setting)
                    times[count].append(seconds)
                    print(
                        f"run {attempt + 1}, {count} worker(s): {seconds:.1f} s, "
                        f"{documents / seconds:.0f} articles/s, kept {totals['kept']}, "
                        f"rejected {totals['rejected']}",
                        flush=True,
                    )
                    if totals["kept"] + totals["rejected"] != documents:
                        raise SystemExit(f"{documents} articles in, {totals} out")
                # the next night, on the last namespace: one new article
                with next_night(root, args.form):
                    seconds, totals = run_workers(1, root, work, url, args.setting)
                nightly.append(seconds)
                print(
                    f"run {attempt + 1}, the next night ({NIGHTLY[args.form]}): {seconds:.2f} s, "
                    f"{totals['inputs_read']} input(s) read, kept {totals['kept']}, "
                    f"rejected {totals['rejected']}",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait()

    print()
    figures = [f"days={args.days}", f"docs={documents}"]
    for count in counts:
        median = statistics.median(times[count])
        print(f"{count} worker(s): median {median:.2f} s, {documents / median:.0f} articles/s")
        figures.append(f"workers{count}={documents / median:.0f}/s")
    night = statistics.median(nightly)
    print(f"the next night, {NIGHTLY[args.form]}: median {night:.2f} s")
    figures.append(f"{NIGHTLY_FIGURE[args.form]}={night:.2f}s")
    print("FIGURES " + " ".join(figures))


if __name__ == "__main__":
    main()
