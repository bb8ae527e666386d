"""Running the pure stages ahead of the pipeline, on every core, without changing the output.

A stage whose ``process`` only reads and writes the document (``pure = True``: no crawler, no
state store, no files) gives the same result wherever it runs. A pool of worker processes runs
the leading pure stages of the pipeline (and the pure ``prepare`` of the first stage that is not
pure, such as dedup's MinHash) on the documents, in batches:

- input files are read by the workers themselves, which send back each document as the stages
  left it (:class:`FileBatch`): small files (most articles) several to a batch, archives and
  dumps of a few MiB one to a batch;
- larger JSON Lines dumps are cut at line ends, and larger zip archives into runs of members,
  and the workers read the pieces side by side (:class:`PieceBatch`); a compressed dump is
  decompressed in the crawl process, its lines sent out in pieces; a larger or compressed JSON file
  is parsed in the crawl process to find where each value ends, its values' text sent out in
  pieces (the workers make the documents); so is a large or compressed JSON or JSON Lines member
  of a zip, between the runs of the other members;
- the documents of other larger files (UTF-16 JSON Lines) and of other compressed files are read in
  the crawl process, as a stream, and sent out in batches (:class:`DocumentBatch`).

The documents come back as the stages left them, each with a :class:`Step` a stage (done,
rejected, or failed) riding on it (``_ahead``), and what the stages counted for the batch beside
them. Batches come back in input order, so the pipeline still sees documents one after another in
input order: when a document reaches a stage, the stage replays its step (its reject) instead of
computing it, or computes it itself when there is none. When the
workers are behind, the crawl process takes on the next batch of small files itself, with its own
copy of the stages, so that no core idles; a batch that needs a large model the crawl process has
not loaded (langdetect's profiles) goes back to the workers (:mod:`newspipe.loads`). The output
is the same with no pool, one worker or many (a test compares them).

Only the unbroken run of pure stages at the head of ``ITEM_PIPELINES`` goes ahead: a stage of
yours that is not pure, placed between two of newspipe's, ends the run there, and the stages
after it compute in the pipeline as before.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeGuard

from newspipe.config import SettingError
from newspipe.document import NORMALISED, adapter_for
from newspipe.loads import LoadRefused, refusing_large_loads
from newspipe.manifest import InputReader, Reader, ReadFile, read_file
from newspipe.rejects import Reject

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from newspipe.inputs.read import Piece
    from newspipe.stages.base import Stage

logger = logging.getLogger(__name__)

#: The key a document's steps ride under.
AHEAD = "_ahead"
BATCH_SIZE = 64


@dataclass  # no slots: a slotted dataclass unpickles through Python code, this one in C
class Step:
    """What one stage did to one document in a worker, besides changing it (the document comes
    back as the stages left it; their counters, summed for the batch, come back beside it)."""

    #: (reason, detail) when the stage rejected the document.
    reject: tuple[str, str] | None = None
    #: The stage raised something else: the pipeline runs it again in place, where Scrapy sees it.
    failed: bool = False
    #: ``process`` ran (the stage is done) or only ``prepare`` (its ``process`` still runs).
    mode: str = "process"


#: The step of a stage that did its work and nothing else to say: one shared object, sent back
#: in bulk, that unpickles once, not once a document and stage.
_DONE = {"process": Step(mode="process"), "prepare": Step(mode="prepare")}


class RecordingStats:
    """Stands in for Scrapy's stats in a worker: counters are recorded, then replayed."""

    def __init__(self) -> None:
        self.counters: list[tuple[str, Any]] = []

    def inc_value(self, key: str, count: Any = 1, start: Any = 0) -> None:
        self.counters.append((key, count))


Chain = list[tuple["Stage", str]]

_worker_chain: Chain = []
_worker_reader: Reader | None = None


def _init_worker(pickled_chain: bytes, pickled_reader: bytes = b"") -> None:
    global _worker_chain, _worker_reader
    _worker_chain = pickle.loads(pickled_chain)
    _worker_reader = pickle.loads(pickled_reader) if pickled_reader else None
    worker_started()


def worker_started() -> None:
    """What every newspipe worker process does first (the initializer of its pool)."""
    # Ctrl-C reaches the whole process group: the crawl process decides how to stop, not us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    collect_garbage_less_often()


#: Allocations between two collections of the youngest generation (Python's default: 700).
GC_THRESHOLD = 50_000


def collect_garbage_less_often() -> None:
    """Run the cycle collector every 50,000 allocations instead of 700, and (the first time in
    a process) never again over what exists by then, in newspipe's processes (called once the
    process is set up for its run).

    A document makes a few hundred short-lived containers (its fields, steps, Scrapy's
    deferreds), freed by reference counting; the collector, run every 700 of them, finds almost
    no cycles and cost 3% of a crawl. Memory is not at stake: garbage without cycles is freed at
    once whatever the threshold.

    What exists by then (the modules, Scrapy's components, the stages: some 66,000 objects) lives
    for the whole run. ``gc.freeze`` takes it out of every later collection, those Python runs
    while it exits included: a run that reads nothing took 65 ms less.
    """
    global _frozen
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, middle, oldest)
    if not _frozen:  # once: a process that runs several crawls would keep each one's garbage
        gc.freeze()
        _frozen = True


_frozen = False


def _exit_with_parent(parent: int) -> None:
    """End this worker when the crawl process is gone (killed: nobody will ask for results)."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def run_chain(
    chain: Chain, documents: list[dict[str, Any]], counters: dict[str, Any]
) -> list[dict[str, Step]]:
    """Run ``chain`` on the documents, each stage over all of them before the next stage; the
    steps of each document, by stage name. What the stages count is added up in ``counters``.

    A document stops at the first stage that rejects it or fails, as in the pipeline.
    """
    results: list[dict[str, Step]] = [{} for _ in documents]
    adapters = [adapter_for(document) for document in documents]  # finding the class costs
    going_on = list(range(len(documents)))
    # Stage after stage over the whole batch, not document after document: each stage's code
    # and tables stay in the CPU's caches for the batch. A stage sees one document at a time and
    # none of the others (pure), so each document's steps are the same either way.
    for stage, mode in chain:
        name = stage.stage_name()
        seconds_key = f"newspipe/{name}/seconds"
        still_going: list[int] = []
        for index in going_on:
            document = documents[index]
            recorder = RecordingStats()
            stage.stats = recorder  # type: ignore[assignment]
            before = dict(document)
            started = time.perf_counter()
            step = _DONE[mode]  # the shared step, unless the stage has more to say
            try:
                if mode == "process":
                    stage.process(adapters[index])
                else:
                    stage.prepare(adapters[index])
            except Reject as exc:
                step = Step(reject=(exc.reason, exc.detail), mode=mode)
            except LoadRefused:
                raise  # not the stage failing: the whole batch goes to a worker instead
            except Exception:
                step = Step(failed=True, mode=mode)
                document.clear()  # as it was: the pipeline runs the stage again on it
                document.update(before)
            recorder.inc_value(seconds_key, time.perf_counter() - started)
            results[index][name] = step
            if step.failed:
                continue  # what it counted goes with it: the pipeline runs it again
            for key, count in recorder.counters:
                counters[key] = counters.get(key, 0) + count
            if step.reject is None:
                still_going.append(index)
        going_on = still_going
    return results


def _run_in_worker(documents: list[dict[str, Any]]) -> DocumentsDone:
    counters: dict[str, Any] = {}
    return (documents, _run_to_send(_worker_chain, documents, counters)), counters


DocumentsDone = tuple[tuple[list[dict[str, Any]], list[dict[str, Step]]], dict[str, Any]]
FilesDone = tuple[list[tuple[ReadFile, list[dict[str, Step]]]], dict[str, Any]]


def _read_in_worker(files: list[tuple[Any, int]]) -> FilesDone:
    assert _worker_reader is not None, "the pool was started without a reader"
    return read_and_run(files, _worker_chain, _worker_reader)


PieceDone = tuple[tuple[list[dict[str, Any]], list[dict[str, Step]]], dict[str, Any]]


def _read_piece_in_worker(file: Any, piece: Piece) -> PieceDone:
    assert isinstance(_worker_reader, InputReader), "the pool was started without a reader"
    return read_piece_and_run(file, piece, _worker_chain, _worker_reader)


def read_piece_and_run(file: Any, piece: Piece, chain: Chain, reader: InputReader) -> PieceDone:
    """Read one piece of a large file (lines of a dump, members of a zip) and run the chain on
    its documents (as :func:`read_and_run` does for whole files)."""
    documents = list(reader.piece(file, piece))
    counters: dict[str, Any] = {}
    return (documents, _run_to_send(chain, documents, counters)), counters


def read_and_run(files: list[tuple[Any, int]], chain: Chain, reader: Reader) -> FilesDone:
    """Read each file (past the documents already done) and run the chain on its documents;
    the files read with their steps, and what the stages counted."""
    reads = [read_file(file, skip, reader) for file, skip in files]
    counters: dict[str, Any] = {}
    # All the files' documents through the chain together, stage after stage (see run_chain).
    steps = _run_to_send(chain, [doc for read in reads for doc in read.documents], counters)
    done = []
    start = 0
    for read in reads:
        end = start + len(read.documents)
        done.append((read, steps[start:end]))
        start = end
    return done, counters


def _run_to_send(
    chain: Chain, documents: list[dict[str, Any]], counters: dict[str, Any]
) -> list[dict[str, Step]]:
    """Run ``chain`` on documents in a worker, which go back to the crawl process as the chain
    left them, but for the normalised text: a cache made again where needed, half the bytes."""
    steps = run_chain(chain, documents, counters)
    for document in documents:
        document.pop(NORMALISED, None)
    return steps


def ahead_chain(pipelines: Iterable[Any]) -> Chain:
    """The leading pure stages of the pipeline, then the ``prepare`` of the next stage if any
    (pipelines that only hold documents back, with ``only_orders = True``, are passed over)."""
    from newspipe.stages.base import Stage

    chain: Chain = []
    for component in pipelines:
        if getattr(component, "only_orders", False):
            continue  # scale-out's gate holds documents back, in order, and changes none
        if not isinstance(component, Stage):
            break
        if component.pure:
            chain.append((component, "process"))
            continue
        if component.has_prepare():
            chain.append((component, "prepare"))
        break
    return chain


def batches(documents: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(documents)
    while batch := list(islice(iterator, size)):
        yield batch


@dataclass(slots=True)
class DocumentBatch:
    """Documents read in the crawl process, sent to a worker for the chain; they come back as
    the chain left them (the steps say what is left to replay: counters, rejects)."""

    documents: list[dict[str, Any]]
    #: What the stages counted for all the documents of the batch (set when it settles).
    counters: dict[str, Any] = field(default_factory=dict)
    #: Its share of the queue to the workers (see :func:`weight_of`).
    weight: int = 1

    def submit(self, pool: ProcessPoolExecutor) -> Future[Any]:
        shipped = [{k: v for k, v in doc.items() if k != AHEAD} for doc in self.documents]
        return pool.submit(_run_in_worker, shipped)

    def settle(self, results: DocumentsDone | None) -> list[dict[str, Any]]:
        """The documents, with their steps when the worker did them (None: the pipeline will)."""
        if results is None:
            return self.documents
        (documents, steps), self.counters = results
        for document, its_steps in zip(documents, steps, strict=True):
            document[AHEAD] = its_steps
        return documents


@dataclass(slots=True)
class FileBatch:
    """Input files for a worker to read and run the chain on (small files: reading them is a
    good part of a document's cost, and the worker has the file's documents at hand).

    ``accept(file, skip, read)`` hands the documents read to the crawl process's bookkeeping (the
    input manifest) and returns those to send down the pipeline, in order; ``read`` reads a file
    in the crawl process when the worker could not (a large one whole too: the spider sends
    whole only files of known, bounded size).
    """

    files: list[tuple[Any, int]]
    accept: Callable[[Any, int, ReadFile], list[dict[str, Any]]]
    read: Reader
    #: What the stages counted for all the documents of the batch (set when it settles).
    counters: dict[str, Any] = field(default_factory=dict)
    #: Its share of the queue to the workers (see :func:`weight_of`).
    weight: int = 1
    #: One file read whole (an archive, a dump), all its documents at once: left to the workers.
    large: bool = False

    def submit(self, pool: ProcessPoolExecutor) -> Future[Any]:
        return pool.submit(_read_in_worker, self.files)

    def settle(self, results: FilesDone | None) -> list[dict[str, Any]]:
        documents: list[dict[str, Any]] = []
        if results is not None:
            self.counters = results[1]
        for index, (file, skip) in enumerate(self.files):
            if results is None:
                documents += self.accept(file, skip, read_file(file, skip, self.read))
                continue
            read, steps = results[0][index]
            accepted = self.accept(file, skip, read)  # none once the run has stopped
            for document, its_steps in zip(accepted, steps, strict=False):
                document[AHEAD] = its_steps
            documents += accepted
        return documents


@dataclass(slots=True)
class PieceBatch:
    """One piece of a large file (lines of a JSON Lines dump, values of a JSON file, members of a
    zip archive), for a worker to read and run the chain on: the pieces of a file go out side by
    side and come back in order.

    ``accept(documents)`` hands them to the crawl process's bookkeeping (the input manifest,
    which leaves out those an interrupted run committed) and returns those to send down the
    pipeline; ``read`` reads the piece in the crawl process when the worker could not.
    """

    file: Any
    piece: Piece
    accept: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
    read: InputReader
    #: What the stages counted for all the documents of the piece (set when it settles).
    counters: dict[str, Any] = field(default_factory=dict)
    #: Its share of the queue to the workers (see :func:`weight_of`).
    weight: int = 1

    def submit(self, pool: ProcessPoolExecutor) -> Future[Any]:
        return pool.submit(_read_piece_in_worker, self.file, self.piece)

    def settle(self, results: PieceDone | None) -> list[dict[str, Any]]:
        if results is None:
            return self.accept(list(self.read.piece(self.file, self.piece)))
        (documents, steps), self.counters = results
        for document, its_steps in zip(documents, steps, strict=True):
            document[AHEAD] = its_steps
        return self.accept(documents)


Task = DocumentBatch | FileBatch | PieceBatch

#: Decoded input bytes that make one unit of the queue to the workers: as much as a batch of
#: small files holds at most (it closes once past 1 MiB, with files of 1 MiB at most).
UNIT_BYTES = 2 << 20


def weight_of(input_bytes: int) -> int:
    """The queue units a file read whole takes, for the ``input_bytes`` its reader decodes: what
    it holds in memory while it waits to be settled grows with them. A batch of small files
    takes 1."""
    return max(1, -(-input_bytes // UNIT_BYTES))


#: Queue units sent to each worker before the crawl process waits for the oldest batch.
QUEUED_PER_WORKER = 8
#: Units the crawl process may do itself beyond those the workers hold (see run_tasks).
STEAL_AHEAD = 8


def _behind(in_flight: deque[tuple[Task, Future[Any]]], queued: int, limit: int) -> bool:
    """Whether the oldest batch is not back yet and the crawl process may take on another."""
    return not in_flight[0][1].done() and queued < limit + STEAL_AHEAD


class _LocalChain:
    """The chain and reader as a worker has them, made in the crawl process when first needed."""

    def __init__(self, pickled_chain: bytes, pickled_reader: bytes) -> None:
        self._pickled = (pickled_chain, pickled_reader)
        self._loaded: tuple[Chain, Reader] | None = None
        #: The last batch handed back to the workers (it needed a model not loaded here).
        self._handed_back: FileBatch | None = None

    def takes(self, task: Task | None) -> TypeGuard[FileBatch]:
        """Whether the crawl process does ``task`` itself when the workers are behind: a batch
        of small files only, and not one it has already handed back. A file read whole (an
        archive, a dump) would have it hold all its documents at once on top of a copy of the
        stages (150 MB more with langdetect, measured on the 12 SaudiNewsNet zips)."""
        return isinstance(task, FileBatch) and not task.large and task is not self._handed_back

    def run(self, task: FileBatch) -> Future[Any]:
        """``task`` done here and now, as a finished future."""
        if self._loaded is None:
            chain, reader = self._pickled
            self._loaded = (pickle.loads(chain), pickle.loads(reader))
        future: Future[Any] = Future()
        try:
            future.set_result(read_and_run(task.files, *self._loaded))
        except LoadRefused:
            raise
        except Exception as exc:  # settled as a failed worker would be: in place
            future.set_exception(exc)
        return future

    def stand_in(self, task: FileBatch) -> Future[Any] | None:
        """``task`` done here for workers that are behind, or None: a document of it needs a
        large model not loaded here (:mod:`newspipe.loads`), and the batch goes back to the
        workers rather than the model into the crawl process for the rest of the run."""
        try:
            with refusing_large_loads():
                return self.run(task)
        except LoadRefused as refused:
            logger.debug("a batch goes back to the workers: %s", refused)
            self._handed_back = task
            return None


class AheadRunner:
    """Sends work through the chain in a process pool and yields the documents back in order."""

    def __init__(
        self,
        chain: Chain,
        workers: int,
        batch_size: int = BATCH_SIZE,
        stats: Any = None,
        reader: Reader | None = None,
    ) -> None:
        self.chain = chain
        self.workers = workers
        self.batch_size = batch_size
        self.stats = stats
        #: Reads one input file in a worker (for :class:`FileBatch`); picklable.
        self.reader = reader

    @classmethod
    def for_crawler(
        cls, crawler: Crawler, workers: int, reader: Reader | None = None
    ) -> AheadRunner | None:
        """The runner for the crawl's pipeline, or None when nothing can go ahead."""
        engine = crawler.engine
        pipelines = getattr(getattr(engine, "scraper", None), "itemproc", None)
        chain = ahead_chain(getattr(pipelines, "middlewares", ()))
        if not chain or workers < 1:
            return None
        return cls(chain, workers, stats=crawler.stats, reader=reader)

    async def run(self, documents: Iterable[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
        """The documents, each through the chain in a worker, in input order."""
        tasks = (DocumentBatch(batch) for batch in batches(documents, self.batch_size))
        async for document in self.run_tasks(tasks):
            yield document

    async def run_tasks(self, tasks: Iterable[Task]) -> AsyncIterator[dict[str, Any]]:
        """The documents of each task, in task order; a task the pool cannot do is done in
        place (its documents go down the pipeline without steps: the stages compute them).

        When the workers are behind (the crawl process would wait for the oldest batch), the
        crawl process reads and runs the next batch of small files itself, with its own copy of
        the chain: no core idles, at the start while the workers load, nor later. What is in
        flight is bounded by the batches' weights: at most about ``UNIT_BYTES`` of decoded
        input a unit, whether small files or one archive read whole.
        """
        try:
            pickled = pickle.dumps(self.chain)
            pickled_reader = pickle.dumps(self.reader) if self.reader is not None else b""
        except Exception as exc:  # a stage holding something live: run it in the pipeline
            logger.warning("stages cannot run in worker processes (%s); running them in place", exc)
            for unsent in tasks:
                for document in unsent.settle(None):
                    yield document
            return
        pool: ProcessPoolExecutor | None = None  # made at the first task: none on an empty run
        in_flight: deque[tuple[Task, Future[Any]]] = deque()
        queued = 0  # the weight of the batches in flight
        limit = QUEUED_PER_WORKER * self.workers + 1
        in_place = False  # the pool broke (a worker was killed): the rest runs in the pipeline
        local = _LocalChain(pickled, pickled_reader) if self.reader is not None else None
        pending = iter(tasks)
        try:
            while (task := next(pending, None)) is not None:
                if pool is None and local is not None and local.takes(task):
                    following = next(pending, None)
                    if following is None:
                        # The run's whole work is this one batch of small files (a cron run
                        # over a folder that got a few new ones): done here, in less time than
                        # a worker process takes to start (0.4 s).
                        for document in await self._settle(task, local.run(task)):
                            yield document
                        break
                    pending = itertools.chain([following], pending)
                if pool is None:
                    pool = self._start_pool(pickled, pickled_reader)
                if not in_place:
                    try:
                        in_flight.append((task, task.submit(pool)))
                    except BrokenProcessPool as exc:
                        logger.warning(
                            "the worker processes are gone (%s); the rest of the documents run "
                            "in the crawl process",
                            exc,
                        )
                        in_place = True
                    else:
                        queued += task.weight
                        while queued >= limit:
                            if local is not None and _behind(in_flight, queued, limit):
                                stolen = next(pending, None)
                                if local.takes(stolen):
                                    done = local.stand_in(stolen)
                                    if done is not None:
                                        in_flight.append((stolen, done))
                                        queued += stolen.weight
                                        continue
                                    if self.stats is not None:
                                        self.stats.inc_value("newspipe/ahead/handed_back")
                                if stolen is not None:
                                    pending = itertools.chain([stolen], pending)
                            oldest = in_flight.popleft()
                            queued -= oldest[0].weight
                            for document in await self._settle(*oldest):
                                yield document
                        continue
                while in_flight:  # in input order: what was sent out comes first
                    for document in await self._settle(*in_flight.popleft()):
                        yield document
                for document in task.settle(None):
                    yield document
            while in_flight:
                for document in await self._settle(*in_flight.popleft()):
                    yield document
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)

    async def run_stream(
        self,
        documents: AsyncGenerator[dict[str, Any], None],
        settled: Callable[[list[dict[str, Any]]], None] | None = None,
        worth_a_pool: Callable[[], bool] = lambda: True,
    ) -> AsyncIterator[dict[str, Any]]:
        """The documents of an asynchronous source, each through the chain in a worker, in
        source order (scale-out's: documents of the units a worker takes as others leave).
        ``settled`` is given each batch as it comes back, before its documents are handed on.
        ``worth_a_pool()``, asked when the first batch goes out before it is full: False when
        there is too little to do to wait for worker processes to start (0.4 s); the stages then
        run in place.

        A batch goes out when full, or as soon as the source has no document ready: the source
        may be waiting for documents sent out earlier to leave the pipeline (a worker takes new
        units once its earlier ones are decided), so nothing is held back waiting for it. While
        the source waits, the documents that come back are handed on.
        """
        try:
            pickled = pickle.dumps(self.chain)
        except Exception as exc:  # a stage holding something live: run it in the pipeline
            logger.warning("stages cannot run in worker processes (%s); running them in place", exc)
            async for document in documents:
                yield document
            return
        pool: ProcessPoolExecutor | None = None
        # each future wrapped once: a wrapper left unawaited would hold a worker's failure
        in_flight: deque[tuple[DocumentBatch, asyncio.Future[Any]]] = deque()
        limit = QUEUED_PER_WORKER * self.workers + 1
        batch: list[dict[str, Any]] = []
        upcoming: asyncio.Future[Any] | None = None
        ended = False
        # The stages run in the pipeline from then on: too little to do, or the pool broke.
        in_place = False
        try:
            while not ended or batch or in_flight:
                if not ended and upcoming is None:
                    upcoming = asyncio.ensure_future(anext(documents, _ENDED))
                    await asyncio.sleep(0)  # one step: a source with a document ready gives it
                if upcoming is not None and upcoming.done():
                    document, upcoming = upcoming.result(), None
                    if document is _ENDED:
                        ended = True
                    else:
                        batch.append(document)
                        if len(batch) < self.batch_size:
                            continue
                if batch:  # full, or the source has none ready: out it goes
                    task, batch = DocumentBatch(batch), []
                    if pool is None and not in_place:
                        # A first batch not full, from a source with little to do (a nightly
                        # batch of a few new files): the stages run in place, sooner.
                        if len(task.documents) < self.batch_size and not worth_a_pool():
                            in_place = True
                        else:
                            pool = self._start_pool(pickled, b"")
                    sent = None if in_place or pool is None else _submit(task, pool)
                    in_place = sent is None
                    in_flight.append((task, asyncio.wrap_future(sent or _done_with_nothing())))
                if in_flight and (ended or len(in_flight) >= limit or in_flight[0][1].done()):
                    back = await self._settle(*in_flight.popleft())
                    if settled is not None:
                        settled(back)
                    for document in back:
                        yield document
                    continue
                waits: set[asyncio.Future[Any]] = set()
                if upcoming is not None:
                    waits.add(upcoming)
                if in_flight:
                    waits.add(in_flight[0][1])
                if waits:
                    await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if upcoming is not None and not upcoming.done():
                upcoming.cancel()  # the source stops where it waits (its finally runs)
            else:
                await documents.aclose()
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)

    def _start_pool(self, pickled: bytes, pickled_reader: bytes) -> ProcessPoolExecutor:
        # spawn, not fork: forking a process that runs a reactor and threads can deadlock.
        return ProcessPoolExecutor(
            self.workers,
            multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(pickled, pickled_reader),
        )

    async def _settle(
        self, task: Task, future: Future[Any] | asyncio.Future[Any]
    ) -> list[dict[str, Any]]:
        """The task's documents with their steps attached (none if a worker died: in place)."""
        try:
            results = await asyncio.wrap_future(future)
        except Exception as exc:
            logger.warning("a worker process failed (%s); its batch runs in place", exc)
            return task.settle(None)
        documents = task.settle(results)
        if self.stats is not None:
            for key, count in task.counters.items():
                self.stats.inc_value(key, count)
            ahead = sum(1 for document in documents if AHEAD in document)
            self.stats.inc_value("newspipe/ahead/documents", ahead)
        return documents


#: What :meth:`AheadRunner.run_stream` gets from a source that has no more documents.
_ENDED: Any = object()


def _submit(task: DocumentBatch, pool: ProcessPoolExecutor) -> Future[Any] | None:
    """``task`` sent to the pool; None once the pool is broken (a worker was killed)."""
    try:
        return task.submit(pool)
    except BrokenProcessPool as exc:
        logger.warning(
            "the worker processes are gone (%s); the rest of the documents run in the crawl "
            "process",
            exc,
        )
        return None


def _done_with_nothing() -> Future[Any]:
    """A batch's future without results: its documents go down the pipeline as they are."""
    nothing: Future[Any] = Future()
    nothing.set_result(None)
    return nothing


def worker_count(setting_value: Any) -> int:
    """``NEWSPIPE_WORKERS``: 0 runs everything in the crawl process; ``auto``, one per core but
    the one the crawl process itself keeps busy (Scrapy, the state store, the output), at least 1.
    """
    text = str(setting_value).strip().lower()
    if text in {"", "auto", "none"}:
        return max(1, (os.cpu_count() or 1) - 1)
    if not text.isdigit():
        raise SettingError(
            f"NEWSPIPE_WORKERS must be auto or a whole number, got {setting_value!r}"
        )
    return int(text)
