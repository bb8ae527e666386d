"""The run recorder: rejects file, state commit and run manifest, as a Scrapy extension.

It writes every dropped document to ``seeds-RUN_ID.rejects.jsonl`` (whichever pipeline dropped
it, newspipe's or a user's), commits the state store once the kept file is complete, and writes
``runs/RUN_ID.json`` last.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Self
from urllib.parse import urlparse
from urllib.request import url2pathname

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.spiders import Spider
from twisted.python.failure import Failure

from newspipe import __version__
from newspipe.atomic import finish, temp_path_for, write_atomic
from newspipe.document import INPUT_REJECT
from newspipe.rejects import Reject, reason_of
from newspipe.run import EXIT_FAILED, OutputFile, Run, run_for, utc_now
from newspipe.stages.source import fill_source

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class RunRecorder:
    """Writes what a run did: the rejects file, the state commit and the manifest."""

    def __init__(self, crawler: Crawler, run: Run) -> None:
        self.crawler = crawler
        self.run = run
        self._rejects_file: IO[bytes] | None = None
        self._rejects_count = 0
        self._spider_closed = False
        self._feeds_closed = not crawler.settings.getdict("FEEDS")
        self._finalised = False
        self._finish_reason = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        recorder = cls(crawler, run_for(crawler))
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(recorder.item_error, signal=signals.item_error)
        crawler.signals.connect(recorder.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(recorder.feed_exporter_closed, signal=signals.feed_exporter_closed)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def spider_opened(self, spider: Spider) -> None:
        try:
            _ = self.run.state
        except Exception as exc:  # an unreachable or incompatible state stops the run
            # The spider sees the failed status and reads nothing.
            self.run.fail(f"state store: {exc}")
            return
        logger.info(
            "newspipe run %s: output in %s, state in %s",
            self.run.run_id,
            self.run.output_dir,
            self.run.state.describe(),
        )

    # -- rejects ---------------------------------------------------------------------------

    def item_dropped(
        self, item: Any, response: Any, exception: BaseException, spider: Spider
    ) -> None:
        self._write_reject(rejected_record(item, exception, self.run))

    def item_error(self, item: Any, response: Any, spider: Spider, failure: Failure) -> None:
        # A stage that crashed on a document must not lose it: it becomes a reject too.
        self._write_reject(rejected_record(item, failure.value, self.run))

    def _write_reject(self, record: dict[str, Any]) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newspipe/rejected/{record['reject_reason']}")
        if self._rejects_file is None:
            self._rejects_path = self.run.rejects_path()
            self._rejects_temp = temp_path_for(self._rejects_path)
            self._rejects_path.parent.mkdir(parents=True, exist_ok=True)
            self._rejects_file = self._rejects_temp.open("wb")
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        self._rejects_file.write(line.encode("utf-8"))
        self._rejects_count += 1

    def _close_rejects(self) -> None:
        if self._rejects_file is None:
            return
        finish(self._rejects_file, self._rejects_temp, self._rejects_path)
        self._rejects_file = None
        self.run.outputs.append(OutputFile(self._rejects_path, "rejects", self._rejects_count))

    # -- end of run ------------------------------------------------------------------------

    def feed_slot_closed(self, slot: Any) -> None:
        uri = slot.uri
        path = Path(url2pathname(urlparse(uri).path) if uri.startswith("file:") else uri)
        self.run.outputs.append(OutputFile(path, "kept", slot.itemcount))

    def feed_exporter_closed(self) -> None:
        self._feeds_closed = True
        self._finalise_when_done()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self._spider_closed = True
        self._finish_reason = reason
        self._finalise_when_done()

    def _finalise_when_done(self) -> None:
        # The feed exporter stores the kept file on spider_closed too, in no set order with us:
        # the state is committed and the manifest written only once both are done.
        if self._finalised or not (self._spider_closed and self._feeds_closed):
            return
        self._finalised = True
        run = self.run
        try:
            self._close_rejects()
        except OSError as exc:
            run.fail(f"{self.run.rejects_path()}: cannot write the rejects file: {exc}")
        if run.status == "running":
            if self._finish_reason == "finished":
                run.status = "completed"
            else:
                run.fail(f"run stopped before the end: {self._finish_reason}")
        if run.state_opened:
            # The kept and rejects files are complete under their final names: now the state may
            # record what they hold.
            run.state.commit()
            run.state.close()
        self._write_manifest()

    def _write_manifest(self) -> None:
        run = self.run
        stats = self.crawler.stats
        assert stats is not None
        all_stats = stats.get_stats()
        manifest = run.as_manifest()
        manifest.update(
            {
                "finished_at": utc_now(),
                "finish_reason": self._finish_reason,
                "newspipe_version": __version__,
                "inputs": {
                    "read": all_stats.get("newspipe/inputs/read", 0),
                    "skipped": all_stats.get("newspipe/inputs/skipped", 0),
                },
                "documents": {
                    "read": all_stats.get("newspipe/documents/read", 0),
                    "kept": all_stats.get("item_scraped_count", 0),
                    "rejected": self._rejects_count,
                    "rejected_by_reason": {
                        key.removeprefix("newspipe/rejected/"): value
                        for key, value in sorted(all_stats.items())
                        if key.startswith("newspipe/rejected/")
                    },
                },
                "stages": stage_counts(all_stats),
            }
        )
        try:
            write_atomic(
                run.manifest_path(),
                json.dumps(manifest, ensure_ascii=False, indent=2, default=str).encode("utf-8"),
            )
        except OSError as exc:
            run.fail(f"{run.manifest_path()}: cannot write the run manifest: {exc}", EXIT_FAILED)


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
        if len(parts) == 3 and parts[0] == "newspipe" and parts[1] not in {"inputs", "documents", "rejected"}:
            stages.setdefault(parts[1], {})[parts[2]] = value
    return stages
