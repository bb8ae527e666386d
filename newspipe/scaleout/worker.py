"""The Scrapy side of scale-out: units from the shared queue, the ordering gate, lease renewal.

See :mod:`newspipe.scaleout` for the design. :class:`Worker` is created by the seeds spider when the
state is Redis; :class:`OrderGate` is the item pipeline (just before dedup) that lets documents
reach the state in batch order.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import threading
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Self
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from newspipe.config import get_float, get_int
from newspipe.document import INPUT_REJECT
from newspipe.inputs.read import InputFile, InputOptions, find_inputs
from newspipe.manifest import InputRecord
from newspipe.rejects import Rejected
from newspipe.run import EXIT_LOCKED
from newspipe.scaleout.dumps import UnitReader, is_lines_dump, stored_record
from newspipe.scaleout.queue import BatchBusy, Taken, WorkQueue, batch_id
from newspipe.stages.dedup import dedup_lookups
from newspipe.state.redis import RedisState, StateUnavailable, is_redis_location, redact

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from newspipe.run import Run
    from newspipe.stages.base import Stage

logger = logging.getLogger(__name__)

#: Working key of a document taken from the queue: ``(unit index, position in the unit)``.
UNIT_KEY = "_unit"
#: The gate's place in ITEM_PIPELINES: after language (200), before dedup (300).
GATE_PRIORITY = 299
GATE_PATH = "newspipe.scaleout.worker.OrderGate"

#: How often a worker with documents or units waiting for the turn looks whether it moved, in
#: case a message of the turn's channel did not come (it wakes the worker at once).
TURN_POLL_SECONDS = 0.005
#: How often it looks with nothing waiting.
IDLE_POLL_SECONDS = 0.02
#: How long the listener of the turn's channel waits for a message before it looks whether the
#: run is over.
LISTEN_SECONDS = 0.1
#: At most this many documents (waiting at the gate, or back from the worker processes on their
#: way to it) have their lookups read in one round trip: the next ones, in batch order; the
#: first after them reads again when its turn comes.
READ_AHEAD_DOCUMENTS = 256
#: How often a worker holding all the units it may asks for units whose lease expired.
RECLAIM_CHECK_SECONDS = 0.1
#: How often a worker with nothing left to take renews its leases, to show it is alive.
DRAINING_RENEWAL_SECONDS = 0.5

_WORKERS: WeakKeyDictionary[Crawler, Worker] = WeakKeyDictionary()


@dataclass
class LocalUnit:
    """A unit this worker holds, and how far its documents got."""

    index: int
    name: str
    yielded: int = 0
    finished_yielding: bool = False
    done: int = 0
    #: The size and mtime the walk saw (``-``: unknown), recorded as ingested when committed.
    version: str = "-"
    #: What was read of a JSON Lines dump, recorded with it so the next batch reads new lines only.
    lines_read: InputRecord | None = None
    #: Positions that passed the gate or left the pipeline before it (dropped by a stage).
    settled: set[int] = field(default_factory=set)
    #: Every position below this one is settled.
    settled_below: int = 0

    def complete(self) -> bool:
        return self.finished_yielding and self.done >= self.yielded

    def settle(self, position: int) -> None:
        if position < self.settled_below:
            return  # settled already (it passed the gate, and now left the pipeline)
        self.settled.add(position)
        while self.settled_below in self.settled:
            self.settled.discard(self.settled_below)
            self.settled_below += 1


def loop_time() -> float:
    return time.monotonic()


def unit_names(options: InputOptions) -> list[tuple[str, InputFile]]:
    """Every unit of the inputs, in the order a single run reads them."""
    return [
        (f"{number}:{found.relative}", found)
        for number, root in enumerate(options.roots)
        for found in find_inputs(root)
    ]


def is_unreadable(document: dict[str, Any]) -> bool:
    """Whether a document is the reader's ``unreadable`` reject (of the file, or a part of it)."""
    reject = document.get(INPUT_REJECT)
    return reject is not None and reject[0] == "unreadable"


def version_of(found: InputFile) -> str:
    """A unit's size and mtime, as the walk saw them (part of its batch's identity)."""
    try:
        status = found.stat()
    except OSError:
        return "-"  # gone or unreadable: the reader says why
    return f"{status.st_size}:{status.st_mtime_ns}"


class Worker:
    """One worker of a shared batch: takes units, gates documents, publishes decisions."""

    def __init__(self, crawler: Crawler, run: Run, state: RedisState) -> None:
        self.crawler = crawler
        self.run = run
        self.state = state
        settings = crawler.settings
        self.lease_ms = int(get_float(settings, "NEWSPIPE_LEASE_SECONDS", low=0.5) * 1000)
        self.lookahead = get_int(settings, "NEWSPIPE_WORKER_LOOKAHEAD", low=1)
        # Consecutive units taken at once: half the lookahead, so the next run of units is
        # analysed while this one waits for its turn.
        self.chunk = max(1, self.lookahead // 2)
        self.queue: WorkQueue | None = None
        #: The batch's size, and its units decided when this worker joined it.
        self._batch_start: tuple[int, int] | None = None
        #: Units taken and not yet decided (few: at most the lookahead, plus takeovers).
        self.units: dict[int, LocalUnit] = {}
        #: Each unit's size and mtime as the walk saw them, by name.
        self.versions: dict[str, str] = {}
        self.held: set[int] = set()
        self._held_lock = threading.Lock()
        #: Documents at the gate: ``(unit index, position, future, document)``, a heap.
        self._waiting: list[tuple[int, int, asyncio.Future[None], dict[str, Any]]] = []
        self._in_flight: tuple[int, int] | None = None
        #: Documents back from the worker processes, fingerprinted, not yet at the gate: their
        #: lookups are read ahead with those of the documents waiting there.
        self._coming: dict[tuple[int, int], dict[str, Any]] = {}
        self._turn = 0
        self._next_reclaim_check = 0.0
        self._liveness: dict[int, tuple[float, str]] | None = None
        self._stop = threading.Event()
        #: Set to have the heartbeat renew the leases now rather than at its next interval.
        self._renew_now = threading.Event()
        self._renew_asked = 0.0
        self._heartbeat: threading.Thread | None = None
        self._listener: threading.Thread | None = None
        self.failed: str | None = None
        #: Called with each unit's index once its decisions are published (the recorder's).
        self.on_decided: list[Callable[[int], None]] = []
        self.loop = asyncio.get_event_loop()
        state.on_unavailable = self._fail_threadsafe
        state.after_commit.append(self._after_commit)
        state.after_close.append(self._after_close)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self.doc_done, signal=signal)

    # -- failure -------------------------------------------------------------------------

    def _fail_threadsafe(self, message: str) -> None:
        if threading.current_thread() is threading.main_thread():
            self.fail(message)
        else:
            self.loop.call_soon_threadsafe(self.fail, message)

    def fail(self, message: str) -> None:
        """Fail the run (exit 1): stop taking units, let waiting documents go as errors."""
        if self.failed is not None:
            return
        self.state.fail(message)
        self.run.fail(f"state store: {message}")
        self.stop(message)

    def stop(self, message: str) -> None:
        """Take no more units; documents waiting at the gate leave as error rejects."""
        if self.failed is None:
            self.failed = message
        waiting, self._waiting = self._waiting, []
        self._coming.clear()
        for _, _, future, _ in waiting:
            if not future.done():
                future.set_exception(not_processed(message))

    # -- the spider's side ------------------------------------------------------------------

    async def documents(self, options: InputOptions) -> AsyncGenerator[dict[str, Any], None]:
        """The documents of the units this worker takes, until the batch is drained."""
        stats = self.crawler.stats
        assert stats is not None
        units = unit_names(options)
        by_name = dict(units)
        names = [name for name, _ in units]
        versions = [version_of(found) for _, found in units]
        self.versions = dict(zip(names, versions, strict=True))
        # NEWSPIPE_REBUILD_STATE emptied the state: a batch of its own, reading every input again
        rebuilding = self.state.pending.reset
        try:
            self.queue = WorkQueue(
                self.state.client,
                self.state.prefix,
                batch_id(names, [*versions, "rebuild"] if rebuilding else versions),
                self.run.run_id,
                self.lease_ms,
            )
            size = self.queue.seed(names, () if rebuilding else versions)
            self.state.batch_epoch = self.queue.epoch
            self._batch_start = (size, self.queue.turn())
        except BatchBusy as busy:
            self.run.fail(
                f"{self.state.describe()}: workers on other inputs (batch {busy.batch}) are at "
                "work in this namespace; nothing was done (start workers on the same inputs, or "
                "use another namespace: redis://host:port/db/NAMESPACE)",
                EXIT_LOCKED,
            )
            return
        except Exception as exc:
            self._redis_failed("joining the batch", exc)
            return
        logger.info(
            "newspipe worker %s: batch %s of %d units in %s (%d inputs left out: committed by "
            "earlier batches as they are)",
            self.run.run_id,
            self.queue.batch,
            size,
            self.state.describe(),
            self.queue.left_out,
        )
        if not names:  # an empty folder, or a mount that failed: a cron log should say so
            logger.warning("no input files were found: nothing was read (NEWSPIPE_SEEDS, -a path)")
        self._heartbeat = threading.Thread(
            target=self._renew_loop, name="newspipe-lease", daemon=True
        )
        self._heartbeat.start()
        pump = self.loop.create_task(self._pump())
        drained = False
        try:
            while self.failed is None:
                pending = len(self.units)
                room = self.lookahead - pending
                if room < self.chunk and loop_time() < self._next_reclaim_check:
                    await asyncio.sleep(0.005)  # full: ask Redis for expired units now and then
                    continue
                self._next_reclaim_check = loop_time() + RECLAIM_CHECK_SECONDS
                try:
                    batch = self.queue.take_many(self.chunk if room >= self.chunk else 0)
                except Exception as exc:
                    self._redis_failed("taking a unit", exc)
                    return
                if not batch:
                    if pending == 0 and self._drained():
                        drained = True
                        break
                    await asyncio.sleep(0.005 if pending else 0.05)
                    continue
                self._liveness = None
                held = [self._hold(taken) for taken in batch]  # leases renewed from now on
                for unit in held:
                    input_file = by_name.get(unit.name)
                    if input_file is None:
                        self.fail(f"unit {unit.name!r} of the batch is not among this run's inputs")
                        return
                    try:
                        earlier = self._earlier_lines(input_file, unit.name)
                    except Exception as exc:
                        self._redis_failed("looking up what was read of an input", exc)
                        return
                    reader = UnitReader(input_file, options, earlier)
                    documents = reader.documents()
                    following = next(documents, None)
                    if reader.skipped:
                        stats.inc_value("newspipe/documents/resumed", reader.skipped)
                    while following is not None:
                        document, following = following, next(documents, None)
                        document[UNIT_KEY] = (unit.index, unit.yielded)
                        unit.yielded += 1
                        if is_unreadable(document):
                            unit.version = "-"  # not all of it was read: the next batch reads it
                        # Known before the last document is yielded, so that the unit's decisions
                        # are published as soon as it leaves the pipeline (the reader is done).
                        unit.finished_yielding = following is None
                        if unit.finished_yielding:
                            self._read_whole(unit, reader)
                        stats.inc_value("newspipe/documents/read")
                        yield document
                    unit.finished_yielding = True
                    self._read_whole(unit, reader)  # again, in case the file gave no document
                    self.progress()
        finally:
            pump.cancel()
            if not drained and self.failed is None:
                # The crawl is being stopped (Ctrl-C, CloseSpider): nobody moves the turn for
                # the documents waiting at the gate any more.
                self.stop("the crawl stopped before the end")

    def batch_progress(self) -> tuple[int, int, int] | None:
        """``(units decided, units in the batch, units decided when this worker joined)``, for
        the progress line; None before the batch is joined, or when Redis does not answer."""
        if self.queue is None or self._batch_start is None:
            return None
        size, at_start = self._batch_start
        try:
            decided = self.queue.turn()
        except Exception:  # the run's own Redis calls fail it and say why: not the progress line
            return None
        return min(decided, size), size, at_start

    @staticmethod
    def _read_whole(unit: LocalUnit, reader: UnitReader) -> None:
        """What to record of a unit read to its end (committed with it)."""
        unit.lines_read = reader.read
        if reader.version is not None and unit.version != "-":
            unit.version = reader.version  # the file as read, not as the walk saw it

    def _earlier_lines(self, input_file: InputFile, name: str) -> InputRecord | None:
        """What a committed batch read of a JSON Lines unit (None for other units, and when the
        state is being rebuilt: then every input is read whole again)."""
        if self.state.pending.reset or not is_lines_dump(input_file):
            return None
        assert self.queue is not None
        return stored_record(self.state.client.hget(self.queue.ingested_lines_key, name))

    def _hold(self, taken: Taken) -> LocalUnit:
        """Start tracking a unit just taken (its lease is renewed until the run commits)."""
        stats = self.crawler.stats
        assert stats is not None
        unit = LocalUnit(taken.index, taken.name, version=self.versions.get(taken.name, "-"))
        self.units[taken.index] = unit
        with self._held_lock:
            self.held.add(taken.index)
        stats.inc_value("newspipe/inputs/read")
        stats.inc_value("newspipe/scaleout/units_taken")
        if taken.reclaimed:
            stats.inc_value("newspipe/scaleout/units_reclaimed")
            logger.info("taking over unit %d (%s): its lease expired", taken.index, taken.name)
        return unit

    def _drained(self) -> bool:
        """Nothing left to take: exit once every unit held elsewhere has shown its holder alive."""
        assert self.queue is not None
        try:
            status = self.queue.status()
        except Exception as exc:
            self._redis_failed("reading the batch status", exc)
            return True
        if not status.all_taken:
            return False
        others = {
            index: (lease.expiry_ms, lease.owner)
            for index, lease in status.leases.items()
            if lease.owner != self.run.run_id
        }
        if others:
            self._prove_alive()
        if self._liveness is None:
            self._liveness = others
            return not others
        for index, (expiry, owner) in others.items():
            seen = self._liveness.get(index)
            if seen is not None and seen[1] == owner and expiry <= seen[0]:
                return False  # not renewed yet: alive, or dead and soon taken over
        return True

    # -- the gate ---------------------------------------------------------------------------

    async def admit(self, item: dict[str, Any]) -> None:
        """Wait until ``item`` may reach the state: its unit's turn, and no other document in
        the stages after the gate."""
        if self.failed is not None:
            raise not_processed(self.failed)
        index, position = item[UNIT_KEY]
        self._coming.pop((index, position), None)
        future: asyncio.Future[None] = self.loop.create_future()
        heapq.heappush(self._waiting, (index, position, future, item))
        self.progress()
        await future

    def doc_done(self, item: Any, **_: Any) -> None:
        """A document left the pipeline (kept, dropped or failed)."""
        tag = item.get(UNIT_KEY) if isinstance(item, dict) else None
        if tag is None:
            return
        self._coming.pop(tuple(tag), None)  # dropped before the gate
        unit = self.units.get(tag[0])
        if unit is not None:
            unit.done += 1
            unit.settle(tag[1])
        if self._in_flight == tuple(tag):
            self._in_flight = None
            self.state.current_unit = None
        self.progress()

    def worth_processes(self) -> bool:
        """Whether the batch had more than a run of units left when this worker joined it: a
        nightly batch of a few new files is done in the crawl process, sooner than a worker
        process would start (0.4 s). (A dump, one unit, fills a batch of documents at once and
        is not asked.)"""
        if self._batch_start is None:
            return True
        size, decided = self._batch_start
        return size - decided > self.chunk

    def expect(self, documents: list[dict[str, Any]]) -> None:
        """``documents`` are on their way to the gate, fingerprinted by the worker processes:
        the next read-ahead reads their lookups too, though they are not waiting there yet (a
        worker alone has at most one document waiting at a time)."""
        for document in documents:
            tag = document.get(UNIT_KEY)
            if tag is not None:
                self._coming[tuple(tag)] = document

    def progress(self) -> None:
        """Publish the decisions of complete units, then let the next document through."""
        if self.failed is not None or self.queue is None:
            return
        try:
            self._decide_complete_units()
            self._release_next()
        except StateUnavailable:
            pass  # the store already failed the run
        except Exception as exc:
            self._redis_failed("publishing decisions", exc)

    def _decide_complete_units(self) -> None:
        """Publish the run of complete units from the turn on, in one round trip, once it is
        a chunk long or the unit after it is not this worker's (another worker waits for the
        turn, or the batch ends there). Until then its units stay open: the documents of the
        next one are judged already (see :meth:`_own_and_complete_before`)."""
        assert self.queue is not None
        run: list[int] = []
        turn = self._turn
        for index in sorted(self.units):
            if not self.units[index].complete():
                if index >= turn:
                    break
                continue
            if index > turn:
                break  # earlier units are another worker's: wait for the turn to move
            run.append(index)
            turn = max(turn, index + 1)
        if not run or (len(run) < self.chunk and turn in self.units):
            return
        prefix = self.queue.prefix
        decided, why = self.queue.decide_run([(i, self.state.unit_ops(i, prefix)) for i in run])
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("newspipe/scaleout/decide_round_trips")
        for index in run[:decided]:
            self._decided(index)
            if self.failed is not None:
                return
        if decided < len(run) and why == "LOST":
            unit = self.units[run[decided]]
            self.fail(f"unit {unit.index} ({unit.name}) was taken over by another worker")

    def _decided(self, index: int) -> None:
        """Unit ``index``'s decisions are published: commit it with the run's next commit."""
        assert self.queue is not None
        unit = self.units.pop(index)
        self._turn = max(self._turn, index + 1)
        lines_read = None if unit.lines_read is None else unit.lines_read.to_json()
        for op in self.queue.completion_ops(index, unit.name, unit.version, lines_read):
            self.state.buffer(*op)
        self.state.guard_lease(
            self.queue.keys["leases"], self.queue.keys["owners"], index, self.run.run_id
        )
        self.state.mark_decided(index)
        # The recorder writes the unit's documents now, and may commit (a full shard).
        for hook in self.on_decided:
            hook(index)

    def _own_and_complete_before(self, index: int) -> bool:
        """Whether every unit from the turn up to ``index`` is this worker's and complete.

        Their documents were judged here, one at a time, and what they kept is in the open
        transaction, which lookups read before Redis: a document of ``index`` judged now is
        judged as it would be once they are published. So a worker alone, or one holding a run
        of units, publishes the run at once instead of one round trip a unit.
        """
        units = self.units
        return all(i in units and units[i].complete() for i in range(self._turn, index))

    def _release_next(self) -> None:
        assert self.queue is not None
        if self._in_flight is not None or not self._waiting:
            return
        index, position, future, item = self._waiting[0]
        unit = self.units[index]
        if unit.settled_below < position:
            return  # an earlier document of the unit is still in a stage before the gate
        if index > self._turn and not self._own_and_complete_before(index):
            return  # not its turn yet
        self.state.current_unit = (self.queue.prefix, index)
        # Before the document leaves the heap: if Redis fails here, stop() finds it waiting
        # and lets it go as an error, instead of leaving the crawl waiting for it forever.
        self._read_ahead(index, item)
        heapq.heappop(self._waiting)
        unit.settle(position)
        self._in_flight = (index, position)
        future.set_result(None)

    def _read_ahead(self, index: int, item: dict[str, Any]) -> None:
        """Read the lookups of the documents waiting in this unit and in the units after it that
        this worker holds, in one round trip, unless that was done for ``item`` already: past
        the gate, a round trip a document would be paid one after another by every worker."""
        lookups = dedup_lookups(item)
        if lookups is None or self.state.has_read_ahead_for(lookups):
            return
        last = index
        while last + 1 in self.units:
            last += 1
        candidates = [(e[0], e[1], e[3]) for e in self._waiting if index <= e[0] <= last]
        candidates += [(*tag, doc) for tag, doc in self._coming.items() if index <= tag[0] <= last]
        following = heapq.nsmallest(
            READ_AHEAD_DOCUMENTS,
            (entry for entry in candidates if entry[2] is not item),
            key=lambda entry: (entry[0], entry[1]),
        )
        documents = [lookups]
        for *_, waiting in following:
            found = dedup_lookups(waiting)
            if found is not None:
                documents.append(found)
        if len(documents) > 1:  # one alone: the dedup stage reads its own, as before
            self.state.read_ahead(documents, last)
            stats = self.crawler.stats
            if stats is not None:
                stats.inc_value("newspipe/scaleout/read_aheads")
                stats.inc_value("newspipe/scaleout/documents_read_ahead", len(documents))

    def _listen_for_turns(self, channel: str) -> None:
        """Wake the loop each time a worker moves the turn (its decide script publishes it).

        The turn passes from worker to worker once a run of units: waiting for a poll at each
        hand-over (up to 20 ms) made two workers slower than one, and polling every millisecond
        spent the cores on round trips. If this listener fails, :meth:`_pump` still polls.
        """
        try:
            pubsub = self.state.client.pubsub(ignore_subscribe_messages=True)
        except Exception:
            logger.debug("no listener for the turn: polling it", exc_info=True)
            return
        try:
            pubsub.subscribe(channel)
            while not self._stop.is_set():
                message = pubsub.get_message(timeout=LISTEN_SECONDS)
                if message is None or message.get("type") != "message":
                    continue
                turn = int(message["data"])
                if turn > self._turn:  # not a move of this worker's own: wake the loop
                    self.loop.call_soon_threadsafe(self._turn_moved, turn)
        except Exception:  # Redis gone, or the loop closed: the run's own calls say why
            logger.debug("the listener for the turn stopped", exc_info=True)
        finally:
            try:
                pubsub.close()
            except Exception:
                logger.debug("closing the listener for the turn failed", exc_info=True)

    def _turn_moved(self, turn: int) -> None:
        self._turn = max(self._turn, turn)
        self.progress()

    async def _pump(self) -> None:
        """Watch the turn move while documents or units wait on other workers, in case a
        message of :meth:`_listen_for_turns` does not come (every 5 ms; 20 ms otherwise)."""
        while self.failed is None:
            # on other workers: the turn is at a unit this worker does not hold
            waiting = bool(self.units) and min(self.units) > self._turn
            if waiting:
                self._read_turn()
                self.progress()
            await asyncio.sleep(TURN_POLL_SECONDS if waiting else IDLE_POLL_SECONDS)

    def _read_turn(self) -> None:
        """The turn as Redis has it (the only place it is read: messages bring it otherwise)."""
        if self.queue is None or self.failed is not None:
            return
        try:
            self._turn = max(self._turn, self.queue.turn())
        except Exception as exc:
            self._redis_failed("reading the turn", exc)
            return
        if self._listener is None and self.units and min(self.units) > self._turn:
            # Waiting for another worker: from now on, hear the turn move. (A worker alone
            # never waits, and would only hear its own moves.)
            self._listener = threading.Thread(
                target=self._listen_for_turns,
                args=(self.queue.keys["turn"],),
                name="newspipe-turn",
                daemon=True,
            )
            self._listener.start()

    # -- leases ---------------------------------------------------------------------------

    def _prove_alive(self) -> None:
        """While draining, renew often: the other workers, draining too, wait for a renewal of
        our leases (held until our run commits, at its end) before they exit, and would
        otherwise wait up to a third of the lease for it."""
        now = loop_time()
        if now - self._renew_asked >= DRAINING_RENEWAL_SECONDS:
            self._renew_asked = now
            self._renew_now.set()

    def _renew_loop(self) -> None:
        assert self.queue is not None
        interval = self.lease_ms / 3000
        while True:
            self._renew_now.wait(interval)
            self._renew_now.clear()
            if self._stop.is_set():
                return
            with self._held_lock:
                indexes = sorted(self.held)
            try:
                lost = self.queue.renew(indexes)
            except Exception as exc:
                self.loop.call_soon_threadsafe(self._redis_failed, "renewing leases", exc)
                return
            if lost:
                self.loop.call_soon_threadsafe(
                    self.fail, f"units {lost} were taken over by another worker (lease lost)"
                )
                return

    def _after_commit(self, units: set[int]) -> None:
        """Committed units are done: their leases are gone, and no longer renewed."""
        with self._held_lock:
            self.held -= units

    def _stop_heartbeat(self) -> None:
        self._stop.set()
        self._renew_now.set()
        for thread in (self._heartbeat, self._listener):
            if thread is not None and thread is not threading.current_thread():
                thread.join()

    def _after_close(self) -> None:
        self._stop_heartbeat()
        if self.state.failed is not None and self.queue is not None:
            # Nothing was committed: give the units back now rather than at lease expiry.
            try:
                self.queue.release(sorted(self.held))
            except Exception:
                logger.debug("could not release leases", exc_info=True)

    def _redis_failed(self, doing: str, exc: BaseException) -> None:
        if isinstance(exc, StateUnavailable):
            self.fail(str(exc))
            return
        self.fail(f"{self.state.describe()}: Redis unavailable while {doing}: {redact(str(exc))}")


def not_processed(message: str) -> Rejected:
    """The reject of a document left waiting when the run failed (the next run reads it again)."""
    return Rejected("error", f"not processed: the run failed ({message})")


def worker_for(crawler: Crawler) -> Worker | None:
    return _WORKERS.get(crawler)


def start_worker(crawler: Crawler, run: Run) -> Worker | None:
    """The crawl's worker when its state is Redis (created once), else None."""
    worker = _WORKERS.get(crawler)
    if worker is None and isinstance(run.state, RedisState):
        worker = Worker(crawler, run, run.state)
        _WORKERS[crawler] = worker
    return worker


def add_gate(settings: BaseSettings) -> None:
    """Put :class:`OrderGate` in ITEM_PIPELINES when the state is Redis.

    At spider priority, as ``custom_settings``: the crawl command re-applies the project settings
    after the spider's ``update_settings``.
    """
    if not is_redis_location(str(settings.get("NEWSPIPE_STATE") or "")):
        return
    pipelines = settings.getdict("ITEM_PIPELINES")
    pipelines[GATE_PATH] = GATE_PRIORITY
    priority = max(settings.getpriority("ITEM_PIPELINES") or 0, SETTINGS_PRIORITIES["spider"])
    settings.set("ITEM_PIPELINES", pipelines, priority=priority)


class OrderGate:
    """Item pipeline before dedup: queued documents reach the state in batch order."""

    #: It holds documents back and changes none: the pure stages after it may run ahead of it
    #: in worker processes (:func:`newspipe.ahead.ahead_chain`).
    only_orders = True

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict) or UNIT_KEY not in item:
            return item
        worker = worker_for(self.crawler)
        if worker is not None:
            self._prepare_next(item)
            await worker.admit(item)
        return item

    def _prepare_next(self, item: dict[str, Any]) -> None:
        """The next stage's pure :meth:`~newspipe.stages.base.Stage.prepare` (dedup's MinHash),
        run before the document waits for its turn: past the gate documents go one at a time,
        across all the workers, so what can be done before it is not done after it."""
        stage = self._next_stage
        if stage is None:
            return
        try:
            stage.prepare_item(item)
        except Exception:  # the stage's process computes it again and rejects the document
            logger.debug("prepare of %s failed before the gate", stage, exc_info=True)

    @cached_property  # the pipelines are fixed once the crawl runs
    def _next_stage(self) -> Stage | None:
        return next_stage_with_prepare(self.crawler, self)


def next_stage_with_prepare(crawler: Crawler, component: object) -> Stage | None:
    """The item pipeline right after ``component``, when it is a stage with a ``prepare``."""
    from newspipe.stages.base import Stage

    pipelines = getattr(getattr(crawler.engine, "scraper", None), "itemproc", None)
    components = list(getattr(pipelines, "middlewares", ()))
    if component not in components:
        return None
    following = components[components.index(component) + 1 :]
    if following and isinstance(following[0], Stage) and following[0].has_prepare():
        return following[0]
    return None
