"""Speed of cleaning plus normalisation over the SaudiNewsNet corpus, on one core.

    PYTHONPATH=. python bench/clean_speed.py [--data ../shared/data/saudinewsnet] [--runs 5]

Reads every article's ``content`` from the corpus zips (each holds one JSON array of
``{source, url, date_extracted, title, author, content}``), then times ``clean_text`` and
``normalise`` over all of them, several times. Speed is UTF-8 megabytes of input (10^6 bytes) per
second of this process's CPU time (``time.process_time``: other load on a shared machine skews it
less than wall time; wall-clock figures are printed too). The last line is the figure set.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newspipe.text.chars import fast_encode  # noqa: E402
from newspipe.text.clean import clean_text  # noqa: E402
from newspipe.text.normalize import NORM_PROFILE, normalise  # noqa: E402


def load(folder: Path) -> list[str]:
    texts: list[str] = []
    for archive in sorted(folder.glob("*.zip")):
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.namelist():
                texts.extend(a.get("content") or "" for a in json.loads(zipped.read(member)))
    return texts


def timed(
    work: Callable[[list[str]], object], texts: list[str], runs: int
) -> list[tuple[float, float]]:
    """(CPU seconds, wall seconds) of each run."""
    times = []
    for _ in range(runs):
        cpu, wall = time.process_time(), time.perf_counter()
        work(texts)
        times.append((time.process_time() - cpu, time.perf_counter() - wall))
    return times


def clean_and_normalise(texts: list[str]) -> None:
    for text in texts:
        normalise(clean_text(text).text)


def clean_only(texts: list[str]) -> None:
    for text in texts:
        clean_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/saudinewsnet")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    texts = load(args.data)
    if not texts:
        sys.exit(f"no articles under {args.data}")
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    cleaned = [clean_text(t).text for t in texts]
    byte_path = sum(fast_encode(t) is not None for t in texts) / len(texts)
    print(
        f"{len(texts)} articles, {megabytes:.1f} MB of UTF-8 from {args.data}; profile "
        f"{NORM_PROFILE}; {byte_path:.1%} of articles take the one-byte path"
    )

    def normalise_cleaned(_: list[str]) -> None:
        for text in cleaned:
            normalise(text)

    figures: dict[str, float] = {}
    for name, work in (
        ("clean+normalise", clean_and_normalise),
        ("clean", clean_only),
        ("normalise", normalise_cleaned),
    ):
        times = timed(work, texts, args.runs)
        cpu = statistics.median(t[0] for t in times)
        wall = statistics.median(t[1] for t in times)
        figures[name] = megabytes / cpu
        runs = ", ".join(f"{megabytes / t[0]:.0f}" for t in times)
        print(
            f"{name}: {megabytes / cpu:.1f} MB/s CPU (runs: {runs}), "
            f"{megabytes / wall:.1f} MB/s wall, median of {args.runs}"
        )
    print(
        "MB/s on one core (median CPU time): "
        + ", ".join(f"{name} {value:.1f}" for name, value in figures.items())
    )


if __name__ == "__main__":
    main()
