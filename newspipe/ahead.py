"""Running the pure stages ahead of the pipeline, on every core, without changing the output.

A stage whose ``process`` only reads and writes the document (``pure = True``: no crawler, no
state store, no files) gives the same result wherever it runs. The spider sends the documents it
reads, in batches, to a pool of worker processes that run the leading pure stages of the pipeline
on them (and the pure ``prepare`` of the first stage that is not pure, such as dedup's MinHash).
What each stage did to each document comes back as a :class:`Step` (fields set, counters, reject)
and rides on the document (``_ahead``). Batches come back in input order, so the pipeline still
sees documents one after another in input order: when a document reaches a stage, the stage
replays its step instead of computing it, or computes it itself when there is none. The output is
the same with no pool, one worker or many (a test compares them).

Only the unbroken run of pure stages at the head of ``ITEM_PIPELINES`` goes ahead: a stage of
yours that is not pure, placed between two of newspipe's, ends the run there, and the stages
after it compute in the pipeline as before.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter

from newspipe.rejects import Reject

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from newspipe.stages.base import Stage

logger = logging.getLogger(__name__)

#: The key a document's steps ride under.
AHEAD = "_ahead"
BATCH_SIZE = 64


@dataclass(slots=True)
class Step:
    """What one stage did to one document in a worker."""

    changes: dict[str, Any] = field(default_factory=dict)
    removed: tuple[str, ...] = ()
    counters: list[tuple[str, Any]] = field(default_factory=list)
    #: (reason, detail) when the stage rejected the document.
    reject: tuple[str, str] | None = None
    #: The stage raised something else: the pipeline runs it again in place, where Scrapy sees it.
    failed: bool = False
    #: ``process`` ran (the stage is done) or only ``prepare`` (its ``process`` still runs).
    mode: str = "process"


class RecordingStats:
    """Stands in for Scrapy's stats in a worker: counters are recorded, then replayed."""

    def __init__(self) -> None:
        self.counters: list[tuple[str, Any]] = []

    def inc_value(self, key: str, count: Any = 1, start: Any = 0) -> None:
        self.counters.append((key, count))


Chain = list[tuple["Stage", str]]

_worker_chain: Chain = []


def _init_worker(pickled_chain: bytes) -> None:
    global _worker_chain
    _worker_chain = pickle.loads(pickled_chain)
    worker_started()


def worker_started() -> None:
    """What every newspipe worker process does first (the initializer of its pool)."""
    # Ctrl-C reaches the whole process group: the crawl process decides how to stop, not us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """End this worker when the crawl process is gone (killed: nobody will ask for results)."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def run_chain(chain: Chain, documents: list[dict[str, Any]]) -> list[dict[str, Step]]:
    """Run ``chain`` on each document; the steps of each, by stage name.

    A document stops at the first stage that rejects it or fails, as in the pipeline.
    """
    results: list[dict[str, Step]] = []
    for document in documents:
        steps: dict[str, Step] = {}
        for stage, mode in chain:
            recorder = RecordingStats()
            stage.stats = recorder  # type: ignore[assignment]
            before = dict(document)
            started = time.perf_counter()
            step = Step(mode=mode)
            try:
                if mode == "process":
                    stage.process(ItemAdapter(document))
                else:
                    stage.prepare(ItemAdapter(document))
            except Reject as exc:
                step.reject = (exc.reason, exc.detail)
            except Exception:
                step.failed = True
            recorder.inc_value(
                f"newspipe/{stage.stage_name()}/seconds", time.perf_counter() - started
            )
            if not step.failed:
                step.changes = {k: v for k, v in document.items() if before.get(k, step) is not v}
                step.removed = tuple(k for k in before if k not in document)
                step.counters = recorder.counters
            steps[stage.stage_name()] = step
            if step.reject or step.failed:
                break
        results.append(steps)
    return results


def _run_in_worker(documents: list[dict[str, Any]]) -> list[dict[str, Step]]:
    return run_chain(_worker_chain, documents)


def ahead_chain(pipelines: Iterable[Any]) -> Chain:
    """The leading pure stages of the pipeline, then the ``prepare`` of the next stage if any."""
    from newspipe.stages.base import Stage

    chain: Chain = []
    for component in pipelines:
        if not isinstance(component, Stage):
            break
        if component.pure:
            chain.append((component, "process"))
            continue
        if component.has_prepare():
            chain.append((component, "prepare"))
        break
    return chain


def _batches(documents: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(documents)
    while batch := list(islice(iterator, size)):
        yield batch


class AheadRunner:
    """Sends documents through the chain in a process pool and yields them back in order."""

    def __init__(
        self, chain: Chain, workers: int, batch_size: int = BATCH_SIZE, stats: Any = None
    ) -> None:
        self.chain = chain
        self.workers = workers
        self.batch_size = batch_size
        self.stats = stats

    @classmethod
    def for_crawler(cls, crawler: Crawler, workers: int) -> AheadRunner | None:
        """The runner for the crawl's pipeline, or None when nothing can go ahead."""
        engine = crawler.engine
        pipelines = getattr(getattr(engine, "scraper", None), "itemproc", None)
        chain = ahead_chain(getattr(pipelines, "middlewares", ()))
        if not chain or workers < 1:
            return None
        return cls(chain, workers, stats=crawler.stats)

    async def run(self, documents: Iterable[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
        try:
            pickled = pickle.dumps(self.chain)
        except Exception as exc:  # a stage holding something live: run it in the pipeline
            logger.warning("stages cannot run in worker processes (%s); running them in place", exc)
            for document in documents:
                yield document
            return
        pool: ProcessPoolExecutor | None = None  # made at the first batch: none on an empty run
        in_flight: deque[tuple[list[dict[str, Any]], Future[list[dict[str, Step]]]]] = deque()
        limit = 2 * self.workers + 1
        in_place = False  # the pool broke (a worker was killed): the rest runs in the pipeline
        try:
            for batch in _batches(documents, self.batch_size):
                if pool is None:
                    # spawn, not fork: forking a process that runs a reactor and threads can
                    # deadlock.
                    pool = ProcessPoolExecutor(
                        self.workers,
                        multiprocessing.get_context("spawn"),
                        initializer=_init_worker,
                        initargs=(pickled,),
                    )
                if not in_place:
                    shipped = [{k: v for k, v in doc.items() if k != AHEAD} for doc in batch]
                    try:
                        in_flight.append((batch, pool.submit(_run_in_worker, shipped)))
                    except BrokenProcessPool as exc:
                        logger.warning(
                            "the worker processes are gone (%s); the rest of the documents run "
                            "in the crawl process",
                            exc,
                        )
                        in_place = True
                    else:
                        while len(in_flight) >= limit:
                            for document in await self._settle(*in_flight.popleft()):
                                yield document
                        continue
                while in_flight:  # in input order: what was sent out comes first
                    for document in await self._settle(*in_flight.popleft()):
                        yield document
                for document in batch:
                    yield document
            while in_flight:
                for document in await self._settle(*in_flight.popleft()):
                    yield document
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)

    async def _settle(
        self, batch: list[dict[str, Any]], future: Future[list[dict[str, Step]]]
    ) -> list[dict[str, Any]]:
        """The batch with each document's steps attached (none if a worker died: run in place)."""
        try:
            results = await asyncio.wrap_future(future)
        except Exception as exc:
            logger.warning(
                "a worker process failed (%s); %d documents run in place", exc, len(batch)
            )
            return batch
        for document, steps in zip(batch, results, strict=True):
            document[AHEAD] = steps
        if self.stats is not None:
            self.stats.inc_value("newspipe/ahead/documents", len(batch))
        return batch


def worker_count(setting_value: Any) -> int:
    """``NEWSPIPE_WORKERS``: 0 runs everything in the crawl process; ``auto``, one per core but
    the one the crawl process itself keeps busy (Scrapy, the state store, the output), at least 1.
    """
    text = str(setting_value).strip().lower()
    if text in {"", "auto", "none"}:
        return max(1, (os.cpu_count() or 1) - 1)
    return int(text)
