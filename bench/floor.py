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

That floor spreads everything over the cores, but part of it cannot be spread: Scrapy's engine and
the dedup index run in the crawl process, one document after another. So the script measures a
second floor, the crawl process's own: Scrapy starting, Scrapy's path of every article as an item
(a bare spider yielding records parsed before its clock starts, with no pipeline and no feed),
writing each record as a line (newspipe's writer, in this process) and the index's decisions.
Nothing else is counted there either: not receiving the documents from the worker, not the
stages' calls, the stats or the manifest. As long as Scrapy and the index share the crawl process,
it cannot take less than that, whatever the other cores do.

The yardstick's CPU time is its process's (user and system, from the kernel), over the 12 days as
one JSON Lines dump (``--form jsonl``). Every figure is the median of ``--repeat``; the last line is
the figure set.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from pipeline_bench import CHILD_ENV_DROPPED, CORPUS, prepare, run_yardstick  # noqa: E402
from worker_functions import WORKER_TOTAL, load  # noqa: E402
from worker_functions import run as run_functions  # noqa: E402

from newspipe.dedup import DedupConfig, Deduplicator  # noqa: E402
from newspipe.dedup.engine import Fingerprint, fingerprint  # noqa: E402
from newspipe.defaults import NEWSPIPE_SHARD_DOCS  # noqa: E402
from newspipe.output_lines import record_line  # noqa: E402
from newspipe.state.sqlite import SqliteState  # noqa: E402
from newspipe.text.clean import clean_text  # noqa: E402
from newspipe.text.normalize import normalise  # noqa: E402
from newspipe.text.residue import DEFAULT_RULES  # noqa: E402

#: A bare spider: the dump's records, parsed before its clock starts, yielded as items into no
#: pipeline and no feed. It prints the CPU its process used until ``start`` (Scrapy starting) and
#: from its first item to the spider's close (Scrapy's path of every item).
ITEM_PATH = """
import json
import resource
import scrapy
from scrapy import signals

def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

class ItemPath(scrapy.Spider):
    name = "item_path"
    custom_settings = {"LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.report, signals.spider_closed)
        return spider

    async def start(self):
        self.started = cpu()
        with open(self.dump, encoding="utf-8") as lines:
            items = [{"path": f"{self.dump}#{n + 1}", "text": json.loads(line).get("content")}
                     for n, line in enumerate(lines)]
        self.clock = cpu()
        for item in items:
            yield item

    def report(self, spider):
        print(f"ITEM_PATH {self.started:.4f} {cpu() - self.clock:.4f}", flush=True)
"""


def children_cpu() -> float:
    """User and system seconds of the child processes waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class ScrapyFigures:
    """Medians, over the repeats, of the two spiders' figures and of writing the lines."""

    documents: int
    #: The yardstick's wall and CPU seconds.
    yard_wall: float
    yard_cpu: float
    #: The bare item-path spider's CPU seconds: until its ``start`` (Scrapy starting), then from
    #: its first item to its close.
    start: float
    path: float
    #: CPU seconds of newspipe's writer over the same items, in this process.
    write: float


def scrapy_figures(days: int, repeat: int) -> ScrapyFigures:
    """The yardstick and the item-path spider over the dump, one right after the other each
    repeat (the machine's speed drifts within a sitting), and the writer over the same items."""
    walls: list[float] = []
    cpus: list[float] = []
    starts: list[float] = []
    paths: list[float] = []
    writes: list[float] = []
    env = {k: v for k, v in os.environ.items() if k not in CHILD_ENV_DROPPED}
    with tempfile.TemporaryDirectory(prefix="newspipe-floor-") as tmp:
        work = Path(tmp)
        root, documents = prepare(days, work, "jsonl")
        dump = next(root.rglob("*.jsonl"))
        spider = work / "item_path.py"
        spider.write_text(ITEM_PATH, encoding="utf-8")
        command = [sys.executable, "-m", "scrapy", "runspider", str(spider), "-a", f"dump={dump}"]
        for _ in range(repeat):
            before = children_cpu()
            walls.append(run_yardstick(root, work).seconds)
            cpus.append(children_cpu() - before)  # one process, waited for: all of it
            done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
            reports = [line for line in done.stdout.splitlines() if line.startswith("ITEM_PATH")]
            if done.returncode != 0 or not reports:
                raise SystemExit(f"the item-path spider failed:\n{done.stderr[-3000:]}")
            start, path = map(float, reports[-1].split()[1:])
            starts.append(start)
            paths.append(path)
        with open(dump, encoding="utf-8") as lines:  # at line feeds only, as the spiders read
            items = [
                {"path": f"{dump}#{number}", "text": json.loads(line).get("content")}
                for number, line in enumerate(lines, 1)
            ]
        for _ in range(repeat):
            with open(work / "lines.jsonl", "wb") as out:
                started = time.process_time()
                for item in items:
                    out.write(record_line(item))
                writes.append(time.process_time() - started)
    median = statistics.median
    return ScrapyFigures(
        documents, median(walls), median(cpus), median(starts), median(paths), median(writes)
    )


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

    spiders = scrapy_figures(args.days, args.repeat)
    yard_wall, yard_cpu, documents = spiders.yard_wall, spiders.yard_cpu, spiders.documents
    start, path, write = spiders.start, spiders.path, spiders.write
    print(f"yardstick spider: {yard_wall:.2f} s wall, {yard_cpu:.2f} s CPU", flush=True)
    print(
        f"Scrapy starting {start:.2f} s, its path of every item {path:.2f} s, writing the lines "
        f"{write:.2f} s (CPU)",
        flush=True,
    )

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
    crawl = start + path + write + index
    print(
        f"the crawl process's own floor: {start:.2f} + {path:.2f} + {write:.2f} + {index:.2f} = "
        f"{crawl:.2f} s, {crawl / yard_wall:.2f} times the yardstick"
    )
    print(
        f"FIGURES days={args.days} docs={documents} backend={args.backend} cores={args.cores} "
        f"yardstick_s={yard_wall:.2f} yardstick_cpu_s={yard_cpu:.2f} functions_cpu_s="
        f"{functions:.2f} index_cpu_s={index:.2f} floor_s={floor:.2f} "
        f"floor_ratio={floor / yard_wall:.2f} scrapy_start_cpu_s={start:.2f} "
        f"item_path_cpu_s={path:.2f} write_cpu_s={write:.2f} crawl_floor_s={crawl:.2f} "
        f"crawl_floor_ratio={crawl / yard_wall:.2f}"
    )


if __name__ == "__main__":
    main()
