"""Peak memory of a real ``scrapy crawl seeds`` over the 12 SaudiNewsNet days, dedup included.

    PYTHONPATH=. python bench/dedup_run.py [--data DIR] [--limit N]

The articles are written to a temporary folder as ``SOURCE/NNNNN.txt`` (one file each, so that the
run needs no zip reader; the folder names the source), then the real command runs on it in a
subprocess with the project's settings. Printed: wall time, peak RSS of the crawl (``wait4``), the
run's counts by reject reason, and the size of the clusters and overlaps files.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dedup_quality import DATA, iter_articles

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        seeds, out = Path(folder) / "in", Path(folder) / "out"
        count = 0
        for count, article in enumerate(iter_articles(args.data), 1):
            source = str(article.get("source") or "unknown")
            (seeds / source).mkdir(parents=True, exist_ok=True)
            (seeds / source / f"{count:05d}.txt").write_text(
                article.get("content") or "", encoding="utf-8"
            )
            if count == args.limit:
                break
        command = [
            sys.executable, "-m", "scrapy", "crawl", "seeds", "-a", f"path={seeds}",
            "-s", f"NEWSPIPE_OUTPUT_DIR={out}", "-s", "LOG_LEVEL=WARNING",
        ]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        peak_mb = usage.ru_maxrss / 1024
        manifests = sorted((out / "runs").glob("*.json"))
        manifest = json.loads(manifests[-1].read_text()) if manifests else {}
        files = {entry["kind"]: entry["lines"] for entry in manifest.get("files", [])}
        documents = manifest.get("documents", {})
        print(f"articles written: {count}; exit status {os.waitstatus_to_exitcode(status)}")
        print(f"kept {documents.get('kept')}, rejected {documents.get('rejected_by_reason')}")
        print(f"files: {files}")
        print(f"wall {seconds:.0f} s; peak RSS of the crawl {peak_mb:.0f} MB")
        print(f"FIGURES articles={count} peak_rss_mb={peak_mb:.0f} wall_s={seconds:.0f}")


if __name__ == "__main__":
    main()
