"""The floor under ``scrapy crawl seeds``'s time on this machine, against the yardstick spider.

    PYTHONPATH=. python bench/floor.py [--backend fasttext] [--days 12] [--repeat 3]

newspipe does what the yardstick spider of ``bench/pipeline_bench.py`` does (Scrapy's engine for
every article, parsing it from the dump, writing a JSON Lines record of it, though with its own
writer rather than Scrapy's feed exporter), plus the work of its stages: the pure functions its
worker processes run (``bench/worker_functions.py``: clean, normalise, language, attribution,
dedup's fingerprint) and the dedup index's decisions in input order (judge and remember against a
fresh SQLite state, committed every ``NEWSPIPE_SHARD_DOCS`` documents, as a run does). This
script measures those three CPU times over the same articles, in one sitting, and spreads their
sum over every core with nothing else counted: no worker start, no sending documents between
processes, no reading of records, no manifest. A run of newspipe cannot be expected to take less
wall time than that floor, so the floor's ratio to the yardstick's wall time is about the best
ratio ``bench/pipeline_bench.py`` could show with these functions on this machine.

The yardstick's CPU time is its process's (user and system, from the kernel), over the 12 days as
one JSON Lines dump (``--form jsonl``). Every figure is the median of ``--repeat``; the last line is
the figure set.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from pipeline_bench import CORPUS, prepare, run_yardstick  # noqa: E402
from worker_functions import WORKER_TOTAL, load  # noqa: E402
from worker_functions import run as run_functions  # noqa: E402

from newspipe.dedup import DedupConfig, Deduplicator  # noqa: E402
from newspipe.dedup.engine import Fingerprint, fingerprint  # noqa: E402
from newspipe.defaults import NEWSPIPE_SHARD_DOCS  # noqa: E402
from newspipe.state.sqlite import SqliteState  # noqa: E402
from newspipe.text.clean import clean_text  # noqa: E402
from newspipe.text.normalize import normalise  # noqa: E402
from newspipe.text.residue import DEFAULT_RULES  # noqa: E402


def children_cpu() -> float:
    """User and system seconds of the child processes waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def yardstick(days: int, repeat: int) -> tuple[float, float, int]:
    """Median wall and CPU seconds of the yardstick over the dump, and its article count."""
    walls: list[float] = []
    cpus: list[float] = []
    with tempfile.TemporaryDirectory(prefix="newspipe-floor-") as tmp:
        work = Path(tmp)
        root, documents = prepare(days, work, "jsonl")
        for _ in range(repeat):
            before = children_cpu()
            walls.append(run_yardstick(root, work).seconds)
            cpus.append(children_cpu() - before)  # one process, waited for: all of it
    return statistics.median(walls), statistics.median(cpus), documents


def index_cpu(prints: list[tuple[Fingerprint, str | None]], repeat: int) -> float:
    """Median CPU seconds of the dedup decisions over ``prints``, in order, on a fresh state."""
    times: list[float] = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="newspipe-floor-") as tmp:
            state = SqliteState(Path(tmp) / "state.sqlite")
            dedup = Deduplicator(state, DedupConfig())
            dedup.check_profile()
            started = time.process_time()
            for number, (prepared, source) in enumerate(prints, 1):
                verdict = dedup.judge(prepared)
                if verdict.reason is None:
                    dedup.remember(f"{number:06d}", verdict, "floor", source)
                else:
                    dedup.state.get_sources([str(verdict.duplicate_of)])  # as the stage does
                if number % NEWSPIPE_SHARD_DOCS == 0:
                    state.commit()
            state.commit()
            times.append(time.process_time() - started)
            state.close()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--days", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backend", default="fasttext", choices=["langdetect", "fasttext"])
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    days = sorted(CORPUS.glob("*.zip"))[: args.days]
    if not days:
        raise SystemExit(f"the corpus is not at {CORPUS}")

    yard_wall, yard_cpu, documents = yardstick(args.days, args.repeat)
    print(f"yardstick spider: {yard_wall:.2f} s wall, {yard_cpu:.2f} s CPU", flush=True)

    articles = load(days)
    figures = run_functions(articles, [args.backend], args.repeat)
    names = [name.format(backend=args.backend) for name in WORKER_TOTAL]
    functions = sum(figures[n]["ms_per_1000"] * figures[n]["documents"] / 1e6 for n in names)
    print(f"stage functions ({args.backend}): {functions:.2f} s CPU", flush=True)

    config = DedupConfig()
    prints: list[tuple[Fingerprint, str | None]] = []
    for content, source in articles:
        normalised = normalise(clean_text(content, residue=DEFAULT_RULES.pattern_for(source)).text)
        if normalised:  # the clean stage rejects the others before dedup
            prints.append((fingerprint(normalised, config), source))
    index = index_cpu(prints, args.repeat)
    print(f"dedup index ({len(prints)} documents judged): {index:.2f} s CPU", flush=True)

    floor = (yard_cpu + functions + index) / args.cores
    print(
        f"\nfloor on {args.cores} cores: ({yard_cpu:.2f} + {functions:.2f} + {index:.2f}) / "
        f"{args.cores} = {floor:.2f} s, {floor / yard_wall:.2f} times the yardstick's "
        f"{yard_wall:.2f} s ({documents} articles)"
    )
    print(
        f"FIGURES days={args.days} docs={documents} backend={args.backend} cores={args.cores} "
        f"yardstick_s={yard_wall:.2f} yardstick_cpu_s={yard_cpu:.2f} functions_cpu_s="
        f"{functions:.2f} index_cpu_s={index:.2f} floor_s={floor:.2f} "
        f"floor_ratio={floor / yard_wall:.2f}"
    )


if __name__ == "__main__":
    main()
