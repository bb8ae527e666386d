"""How long a second run over unchanged inputs takes, against the first run (12 SaudiNewsNet days).

    PYTHONPATH=. python bench/rerun_speed.py [--days N] [--reruns K] [--form FORM|all]

The days are given as the corpus ships them (``zip``: one archive a day, each a JSON array of
articles) and as one ``.txt`` file an article (``txt``: 20,070 files in a folder per outlet, the
walk then lists each one). The first run reads them all, then K runs over the same unchanged
folder read nothing; the figure is the median rerun time as a share of the first run's (default
settings, fresh state). ``grow``: the ``.txt`` files in one folder, and before each rerun one new
article in it, as a cron job over a folder that keeps growing sees it. ``dump``: the articles as
one JSON Lines dump, the first run over its first three quarters, and before each rerun a share of
the rest added at its end, as a scraper appends to its dump; ``dump.gz``: the same gzipped, each
share compressed on its own and added at the end (``gzip -c day.jsonl >> dump.jsonl.gz``). The
figure for those: the rerun's time against a first reading of the whole dump. Wall-clock times of
the real ``scrapy crawl seeds``.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "saudinewsnet"


def write_articles(days: list[Path], seed_root: Path, one_folder: bool = False) -> int:
    count = 0
    for archive in days:
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.namelist():
                for index, article in enumerate(json.loads(zipped.read(member))):
                    source = article.get("source") or "unknown"
                    folder = seed_root / ("all" if one_folder else source)
                    folder.mkdir(parents=True, exist_ok=True)
                    text = article.get("content") or ""
                    name = f"{source}-{archive.stem}-{index:05d}.txt"
                    (folder / name).write_text(text, encoding="utf-8")
                    count += 1
    return count


def timed_run(seeds: Path, output: Path, run_id: str) -> tuple[float, dict[str, object]]:
    # ``-m scrapy`` runs what the ``scrapy`` command runs (``-m scrapy.cmdline`` adds a final
    # garbage collection of its own).
    args = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "seeds",
        "-s",
        f"NEWSPIPE_SEEDS={seeds}",
    ]
    args += ["-s", f"NEWSPIPE_OUTPUT_DIR={output}", "-s", f"NEWSPIPE_RUN_ID={run_id}"]
    args += ["-s", "LOG_LEVEL=WARNING"]
    # Without PYTHONDONTWRITEBYTECODE (this project's machine sets it): a cron run of an installed
    # newspipe loads its modules from Python's bytecode cache; with it, each run compiles them
    # from source again, 50 ms of a run that reads nothing.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    start = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"run {run_id} exited {done.returncode}:\n{done.stderr[-2000:]}")
    manifest = json.loads((output / "runs" / f"{run_id}.json").read_text())
    return elapsed, manifest


def dump_lines(days: list[Path]) -> list[bytes]:
    """The days' articles as JSON Lines, in the corpus's order."""
    lines = []
    for archive in days:
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.namelist():
                for article in json.loads(zipped.read(member)):
                    lines.append(json.dumps(article, ensure_ascii=False).encode() + b"\n")
    return lines


def measure_appended(form: str, days: list[Path], reruns: int) -> str:
    """A dump read once, then appended to before each rerun (see the module's docstring)."""
    lines = dump_lines(days)
    pack = gzip.compress if form == "dump.gz" else (lambda data: data)
    first_part = len(lines) * 3 // 4
    shares = [lines[first_part:][number::reruns] for number in range(reruns)]
    with tempfile.TemporaryDirectory(prefix="rerun-speed-") as tmp:
        seeds, output = Path(tmp) / "seeds", Path(tmp) / "output"
        seeds.mkdir()
        (seeds / "whole.jsonl").write_bytes(b"".join(lines))
        whole, _ = timed_run(seeds / "whole.jsonl", Path(tmp) / "whole-output", "whole")
        dump = seeds / ("dump.jsonl.gz" if form == "dump.gz" else "dump.jsonl")
        dump.write_bytes(pack(b"".join(lines[:first_part])))
        first, manifest = timed_run(dump, output, "first")
        print(
            f"[{form}] whole dump: {whole:.2f} s; first run, {first_part} lines: {first:.2f} s, "
            f"{manifest['documents']['kept']} kept"
        )
        times = []
        for number, share in enumerate(shares):
            with dump.open("ab") as scraper:
                scraper.write(pack(b"".join(share)))
            elapsed, manifest = timed_run(dump, output, f"rerun{number}")
            documents = manifest["documents"]
            assert documents["read"] == len(share), documents
            print(
                f"[{form}] rerun {number}, {len(share)} lines added: {elapsed:.2f} s, "
                f"{documents['kept']} kept, rejected {documents['rejected_by_reason']}"
            )
            times.append(elapsed)
    median = statistics.median(times)
    return (
        f"form={form} days={len(days)} documents={len(lines)} whole_s={whole:.2f} "
        f"added_per_rerun={len(shares[0])} rerun_median_s={median:.2f} "
        f"rerun_share={median / whole:.1%}"
    )


def measure(form: str, days: list[Path], reruns: int) -> str:
    if form.startswith("dump"):
        return measure_appended(form, days, reruns)
    with tempfile.TemporaryDirectory(prefix="rerun-speed-") as tmp:
        seeds, output = Path(tmp) / "seeds", Path(tmp) / "output"
        if form == "zip":
            seeds.mkdir()
            for archive in days:
                shutil.copy(archive, seeds / archive.name)
        else:
            write_articles(days, seeds, one_folder=form == "grow")
        first, manifest = timed_run(seeds, output, "first")
        documents = manifest["documents"]["read"]
        print(
            f"[{form}] first run: {first:.2f} s, {manifest['inputs']['read']} inputs read, "
            f"{documents} documents, {manifest['documents']['kept']} kept"
        )
        times = []
        for number in range(reruns):
            if form == "grow":  # one new file: an article with a line of its own
                article = next((seeds / "all").iterdir()).read_text(encoding="utf-8")
                new = seeds / "all" / f"new-{number}.txt"
                new.write_text(f"{article}\nتحديث رقم {number} للخبر", encoding="utf-8")
            elapsed, manifest = timed_run(seeds, output, f"rerun{number}")
            assert manifest["inputs"]["read"] == (1 if form == "grow" else 0), manifest["inputs"]
            print(
                f"[{form}] rerun {number}: {elapsed:.2f} s, {manifest['inputs']['read']} read, "
                f"{manifest['inputs']['skipped']} inputs skipped"
            )
            times.append(elapsed)
    median = statistics.median(times)
    return (
        f"form={form} days={len(days)} documents={documents} first_s={first:.2f} "
        f"rerun_median_s={median:.2f} rerun_share={median / first:.1%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=12)
    parser.add_argument("--reruns", type=int, default=3)
    parser.add_argument(
        "--form", choices=["zip", "txt", "grow", "dump", "dump.gz", "all"], default="all"
    )
    options = parser.parse_args()
    days = sorted(CORPUS.glob("*.zip"))[: options.days]
    if not days:
        sys.exit(f"no SaudiNewsNet zips at {CORPUS}")
    forms = ["zip", "txt", "grow", "dump", "dump.gz"] if options.form == "all" else [options.form]
    lines = [measure(form, days, options.reruns) for form in forms]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
