"""The run recorder: lock, output shards, state commits, progress and the run manifest.

A Scrapy extension. It takes the run's lock before anything is read, finishes what a killed run
left committed, writes every kept document (``item_scraped``) and every dropped one
(``item_dropped``, whichever pipeline dropped it) to output shards committed together with the
state (see :mod:`newspipe.shards`), logs progress, and writes ``runs/RUN_ID.json`` at the end,
for failed runs too, then ``latest.json`` for a completed one.
"""

from __future__ import annotations

import json
import logging
import time
from contextlib import suppress
from typing import TYPE_CHECKING, Any, Self

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.spiders import Spider
from twisted.internet.task import LoopingCall
from twisted.python.failure import Failure

from newspipe import __version__
from newspipe.atomic import write_atomic
from newspipe.config import get_bool, get_float, get_int
from newspipe.document import INPUT_REJECT, exported
from newspipe.lock import LockHeld, RunLock, lock_paths, run_alive, run_lock_path
from newspipe.progress import SourceCounts, progress_line
from newspipe.rejects import Reject, reason_of
from newspipe.run import EXIT_LOCKED, OutputFile, Run, run_for, utc_now
from newspipe.scaleout.worker import UNIT_KEY, worker_for
from newspipe.shards import (
    PENDING_META,
    ShardSet,
    commit_shards,
    count_lines,
    orphan_runs,
    recover,
)
from newspipe.stages.source import fill_source
from newspipe.state import STATE_FAILURES, state_file
from newspipe.state.redis import RedisState, is_redis_location
from newspipe.stopping import install_stop_watchdog
from newspipe.surrogates import utf8

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

#: The pointer to the newest complete run, in the output dir.
LATEST_FILE = "latest.json"


class RunRecorder:
    """Writes what a run did, so that a crash at any moment leaves a state and output that agree."""

    def __init__(
        self,
        crawler: Crawler,
        run: Run,
        *,
        shard_docs: int = 0,
        gzipped: bool = False,
        progress_interval: float = 0,
        stale_after: float = 0,
        stop_grace: float = 0,
    ) -> None:
        self.crawler = crawler
        self.run = run
        self.shards = ShardSet(run.output_dir, run.run_id, shard_docs=shard_docs, gzipped=gzipped)
        self.progress_interval = progress_interval
        self.stale_after = stale_after
        self.stop_grace = stop_grace
        self.counts = SourceCounts()
        self.kept = 0
        self.rejected = 0
        self.recovered_runs: list[str] = []
        self._locks: list[RunLock] = []
        self._locked_out = False
        self._progress: LoopingCall | None = None
        self._started = time.monotonic()
        self._finalised = False
        self._unit_hooked = False
        #: Redis state (newspipe.scaleout): several workers may share the output dir at once.
        self.shared = is_redis_location(run.state_location)
        self.pending_key = f"{PENDING_META}:{run.run_id}" if self.shared else PENDING_META
        self._alive_runs: dict[str, bool] = {}
        self._by_unit: dict[int, list[tuple[str, dict[str, Any], Any]]] = {}

    @staticmethod
    def options(settings: BaseSettings) -> dict[str, Any]:
        """The recorder's settings; raise :class:`SettingError` on a bad value."""
        return {
            "shard_docs": get_int(settings, "NEWSPIPE_SHARD_DOCS", low=0),
            "gzipped": get_bool(settings, "NEWSPIPE_OUTPUT_GZIP"),
            "progress_interval": get_float(settings, "NEWSPIPE_PROGRESS_INTERVAL", low=0),
            "stale_after": get_float(settings, "NEWSPIPE_LOCK_STALE_AFTER", low=0),
            "stop_grace": get_float(settings, "NEWSPIPE_STOP_GRACE", low=0),
        }

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        recorder = cls(crawler, run_for(crawler), **cls.options(crawler.settings))
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(recorder.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(recorder.item_error, signal=signals.item_error)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    # -- start: lock, state, recovery ------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        run = self.run
        if not self._lock():
            return
        try:
            state = run.state
        except Exception as exc:  # an unreachable or incompatible state stops the run
            # The spider sees the failed status and reads nothing.
            run.fail(f"state store: {exc}")
            return
        try:
            if self.shared:
                assert isinstance(state, RedisState)
                recover(
                    state,
                    run.output_dir,
                    pending_keys=[
                        key
                        for key in state.meta_keys(f"{PENDING_META}:")
                        if key != self.pending_key
                    ],
                    is_alive=self._alive,
                )
            else:
                recover(state, run.output_dir)
            self._write_interrupted_manifests()
        except OSError as exc:
            run.fail(f"{run.output_dir}: cannot recover an interrupted run: {exc}")
            return
        logger.info(
            "newspipe run %s: output in %s, state in %s",
            run.run_id,
            run.output_dir,
            state.describe(),
        )
        install_stop_watchdog(self.stop_grace)
        if self.progress_interval > 0:
            self._progress = LoopingCall(self.log_progress)
            self._progress.start(self.progress_interval, now=False)

    def _lock(self) -> bool:
        run = self.run
        if self.shared:
            # Scale-out: workers share the output dir; the queue's leases keep them apart. Each
            # holds a lock of its own run, which tells the others it is alive (see _alive).
            paths = [run_lock_path(run.output_dir, run.run_id)]
        else:
            paths = lock_paths(run.output_dir, state_file(run.state_location, run.output_dir))
        try:
            for path in paths:
                lock = RunLock(path, run_id=run.run_id, stale_after=self.stale_after)
                lock.acquire()
                self._locks.append(lock)
        except LockHeld as exc:
            self._release()
            self._locked_out = True
            run.fail(str(exc), EXIT_LOCKED)
            return False
        except OSError as exc:
            self._release()
            run.fail(f"{run.output_dir}: cannot take the run lock: {exc}")
            return False
        return True

    def _alive(self, run_id: str) -> bool:
        """Whether another worker's run sharing the output dir is still running."""
        if run_id == self.run.run_id:
            return True
        alive = self._alive_runs.get(run_id)
        if alive is None:
            alive = self._alive_runs[run_id] = run_alive(
                self.run.output_dir, run_id, stale_after=self.stale_after
            )
        return alive

    def _release(self) -> None:
        while self._locks:
            self._locks.pop().release()

    def _write_interrupted_manifests(self) -> None:
        """Give a run that was killed a manifest listing the shards it committed."""
        alive = self._alive if self.shared else None
        for run_id, files in orphan_runs(self.run.output_dir, self.run.run_id, alive).items():
            manifest = {
                "run_id": run_id,
                "status": "interrupted",
                "exit_code": None,
                "error": "the run stopped before its end (killed or crashed); the files below "
                "are complete and committed, the rest of its work was redone by run "
                f"{self.run.run_id}",
                "recovered_by": self.run.run_id,
                "files": [
                    {"path": path.name, "kind": kind, "lines": count_lines(path)}
                    for path, kind in files
                ],
            }
            write_atomic(
                self.run.output_dir / "runs" / f"{run_id}.json",
                utf8(json.dumps(manifest, ensure_ascii=False, indent=2)),
            )
            self.recovered_runs.append(run_id)
            logger.warning(
                "run %s was interrupted: wrote its manifest (%d committed files)",
                run_id,
                len(files),
            )

    # -- documents -------------------------------------------------------------------------

    def item_scraped(self, item: Any, response: Any, spider: Spider) -> None:
        record = exported(item if isinstance(item, dict) else dict(ItemAdapter(item).items()))
        self.counts.add_kept(record.get("source"))
        self.kept += 1
        self._write("kept", record, item)

    def item_dropped(
        self, item: Any, response: Any, exception: BaseException, spider: Spider
    ) -> None:
        self._write_reject(rejected_record(item, exception, self.run), item)

    def item_error(self, item: Any, response: Any, spider: Spider, failure: Failure) -> None:
        # A stage that crashed on a document must not lose it: it becomes a reject too.
        error = failure.value if failure.value is not None else RuntimeError("unknown error")
        self._write_reject(rejected_record(item, error, self.run), item)

    def _write_reject(self, record: dict[str, Any], item: Any) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newspipe/rejected/{record['reject_reason']}")
        self.counts.add_rejected(record.get("source"), str(record["reject_reason"]))
        self.rejected += 1
        self._write("rejects", record, item)

    def _write(self, kind: str, record: dict[str, Any], item: Any) -> None:
        if self.run.status != "running":
            return  # a failed run commits nothing more; its inputs are read again next time
        held = self._unit_records(item)
        if held is not None:
            held.append((kind, record, item))  # written once the unit is decided
            return
        if self._write_now(kind, record, item):
            self._commit()

    def _write_now(self, kind: str, record: dict[str, Any], item: Any) -> bool:
        """Write one record to the open shard; True when the shard is full."""
        try:
            full = self.shards.write(kind, record)
        except OSError as exc:
            self.run.fail(f"{self.run.output_dir}: cannot write output: {exc}")
            self.shards.discard()
            return False
        self.run.inputs.processed(item)
        return full

    def _unit_records(self, item: Any) -> list[tuple[str, dict[str, Any], Any]] | None:
        """Scale-out (newspipe.scaleout): where the records of the item's unit wait, else None.

        A shard holds whole decided units only, so that a commit (state, shard, units marked
        done) never carries half a unit: a unit is in exactly one worker's committed output.
        """
        tag = item.get(UNIT_KEY) if isinstance(item, dict) else None
        if tag is None:
            return None
        if not self._unit_hooked:
            worker = worker_for(self.crawler)
            if worker is None:
                return None
            worker.on_decided.append(self.unit_decided)
            self._unit_hooked = True
        return self._by_unit.setdefault(int(tag[0]), [])

    def unit_decided(self, index: int) -> None:
        """Write the records of a decided unit, in the order they came; commit a full shard."""
        records = self._by_unit.pop(index, [])
        if self.run.status != "running":
            return
        full = False
        for kind, record, item in records:
            full = self._write_now(kind, record, item) or full
            if self.run.status != "running":
                return
        if full:
            self._commit()

    def _commit(self) -> None:
        """Seal the open shards and commit them with the state (see newspipe.shards)."""
        run = self.run
        if self.shards.empty and not run.state_opened:
            return
        try:
            pending = self.shards.seal()
            commit_shards(run.state, pending, run.inputs.records_to_commit(), key=self.pending_key)
        except Exception as exc:
            run.fail(f"{run.output_dir}: cannot commit output and state: {exc}")
            self.shards.discard()
            return
        run.outputs.extend(OutputFile(item.final, item.kind, item.lines) for item in pending)

    def log_progress(self) -> None:
        inputs = self.run.inputs
        done, total, before = inputs.done, inputs.total, 0
        worker = worker_for(self.crawler)
        batch = worker.batch_progress() if worker is not None else None
        if batch is not None:  # scale-out: the batch's inputs, decided by every worker
            done, total, before = batch
        logger.info(
            "%s",
            progress_line(
                documents=self.kept + self.rejected,
                inputs_done=done,
                inputs_total=total,
                elapsed=time.monotonic() - self._started,
                bytes_read=inputs.bytes_read,
                bytes_total=inputs.bytes_total,
                inputs_before=before,
            ),
        )

    # -- end of run ------------------------------------------------------------------------

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._finalised:
            return
        self._finalised = True
        if self._progress is not None and self._progress.running:
            self._progress.stop()
        run = self.run
        if self._locked_out:
            return  # another run owns the output dir: write nothing there
        try:
            if run.status == "running" and run.state_opened:
                if reason == "finished":
                    self.shards.ensure_files()
                # Whatever the spider's close reason, what was processed is consistent: commit it.
                self._commit()
                if run.status == "running":
                    try:
                        if reason == "finished":  # the files' records are committed: now theirs
                            for key, record in run.inputs.folder_records().items():
                                run.state.set_input(key, record)
                        run.state.commit()  # the cleared pending list, the folders' records
                    except Exception as exc:  # e.g. Redis gone: the shards are committed already
                        run.fail(f"state store: cannot commit: {exc}")
            if run.status == "running":
                if reason == "finished":
                    run.status = "completed"
                else:
                    run.fail(f"run stopped before the end: {reason}")
            self.shards.discard()
            self._close_state()
            self._log_summary()
            self._write_manifest(reason)
            if run.status == "completed":
                self._write_latest()
        except Exception as exc:  # a bug: logged, and the run must not exit 0 as if completed
            logger.exception("unexpected error while finishing the run")
            run.fail(f"unexpected error while finishing the run: {exc!r}")
            with suppress(Exception):  # its manifest says so, as any failed run's does
                self._write_manifest(reason)
        finally:
            self._release()

    def _close_state(self) -> None:
        """Roll back what the run did not commit (a failed run's work is redone next time), and
        close the store; a store that fails at that fails the run, which still ends in order."""
        run = self.run
        if not run.state_opened:
            return
        try:
            run.state.rollback()
        except STATE_FAILURES as exc:
            run.fail(f"state store: cannot roll back: {exc}")
        finally:
            with suppress(*STATE_FAILURES):
                run.state.close()

    def _log_summary(self) -> None:
        stats = self.crawler.stats
        assert stats is not None
        for key, value in self.counts.stats().items():
            stats.set_value(key, value)
        inputs = stats.get_value("newspipe/inputs/read", 0)
        skipped = stats.get_value("newspipe/inputs/skipped", 0)
        logger.info(
            "run %s %s: %d inputs read, %d skipped as unchanged; %d kept, %d rejected\n%s",
            self.run.run_id,
            self.run.status,
            inputs,
            skipped,
            self.kept,
            self.rejected,
            self.counts.table(),
        )
        found = stats.get_value("newspipe/inputs/total")
        # (a scale-out worker counts no total: it warns of an empty batch itself)
        if self.run.status == "completed" and not found and not self.shared:
            # an empty folder, or a mount that failed: a cron log should say so
            logger.warning("no input files were found: nothing was read (NEWSPIPE_SEEDS, -a path)")

    def _write_manifest(self, reason: str) -> None:
        run = self.run
        stats = self.crawler.stats
        assert stats is not None
        all_stats = stats.get_stats()
        manifest = run.as_manifest()
        manifest.update(
            {
                "finished_at": utc_now(),
                "finish_reason": reason,
                "newspipe_version": __version__,
                "inputs": {
                    "total": all_stats.get("newspipe/inputs/total", 0),
                    "read": all_stats.get("newspipe/inputs/read", 0),
                    "skipped": all_stats.get("newspipe/inputs/skipped", 0),
                },
                "documents": {
                    "read": all_stats.get("newspipe/documents/read", 0),
                    "kept": self.kept,
                    "rejected": self.rejected,
                    "rejected_by_reason": {
                        key.removeprefix("newspipe/rejected/"): value
                        for key, value in sorted(all_stats.items())
                        if key.startswith("newspipe/rejected/")
                    },
                },
                "sources": {
                    source: {
                        "read": self.counts.read(source),
                        "kept": self.counts.kept[source],
                        "rejected": dict(sorted(self.counts.rejected[source].items())),
                    }
                    for source in self.counts.sources()
                },
                "recovered_runs": self.recovered_runs,
                "stages": stage_counts(all_stats),
            }
        )
        try:
            write_atomic(
                run.manifest_path(),
                utf8(json.dumps(manifest, ensure_ascii=False, indent=2, default=str)),
            )
        except OSError as exc:
            run.fail(f"{run.manifest_path()}: cannot write the run manifest: {exc}")

    def _write_latest(self) -> None:
        """Point ``latest.json`` at this run, last, so a reader never sees a run in progress."""
        run = self.run
        latest = {
            "run_id": run.run_id,
            "manifest": run.manifest_path().relative_to(run.output_dir).as_posix(),
            "finished_at": utc_now(),
            "files": [
                {"path": out.path.name, "kind": out.kind, "lines": out.lines} for out in run.outputs
            ],
        }
        try:
            write_atomic(run.output_dir / LATEST_FILE, json.dumps(latest, indent=2).encode("utf-8"))
        except OSError as exc:
            run.fail(f"{run.output_dir / LATEST_FILE}: cannot write: {exc}")


def rejected_record(item: Any, exception: BaseException, run: Run) -> dict[str, Any]:
    """The rejects-file record of a dropped document: what is known of it, reason and detail."""
    adapter = ItemAdapter(item)
    record = {key: value for key, value in adapter.items() if not key.startswith("_")}
    if adapter.get("source") is None and isinstance(item, dict):
        fill_source(item)
        record["source"] = item.get("source")
    record.setdefault("run_id", None)
    record["run_id"] = record["run_id"] or run.run_id
    record["ingested_at"] = record.get("ingested_at") or utc_now()
    if isinstance(exception, Reject):
        record["reject_reason"] = exception.reason
        record["reject_detail"] = exception.detail
    elif isinstance(exception, DropItem):
        record["reject_reason"] = reason_of(exception)
        record["reject_detail"] = str(exception) or type(exception).__name__
    else:
        record["reject_reason"] = "error"
        record["reject_detail"] = f"a stage failed on this document: {exception!r}"
    record.pop(INPUT_REJECT, None)
    return record


def stage_counts(all_stats: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``newspipe/<stage>/<metric>`` stats as ``{stage: {metric: value}}``."""
    stages: dict[str, dict[str, Any]] = {}
    for key, value in sorted(all_stats.items()):
        parts = key.split("/", 2)
        if (
            len(parts) == 3
            and parts[0] == "newspipe"
            and parts[1] not in {"inputs", "documents", "rejected", "by_source"}
        ):
            stages.setdefault(parts[1], {})[parts[2]] = value
    return stages
