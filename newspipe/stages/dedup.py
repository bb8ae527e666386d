"""Dedup stage: exact copies, then near-duplicates, of documents kept now or by earlier runs.

In input order, each document is checked against everything kept before it, in this run or in any
earlier run sharing the state (the index lives in the state store, on disk):

1. exact: ``content_hash`` (BLAKE2b of the normalised text) equal to a kept document's: rejected as
   ``duplicate``, ``similarity`` 1.0;
2. near: MinHash of its word shingles (``NEWSPIPE_SHINGLE_SIZE`` words), LSH bands
   (``NEWSPIPE_LSH_BANDS`` x ``NEWSPIPE_LSH_ROWS``) to find candidates, each candidate's stored
   signature compared: the most similar one at or above ``NEWSPIPE_NEAR_DUP_THRESHOLD`` (on a tie,
   the one kept first) makes it a ``near_duplicate``, ``similarity`` being the estimated Jaccard
   similarity. A document with fewer words than a shingle has no signature: exact dedup only;
3. otherwise it is kept, indexed, and gets ``overlaps``: the earlier kept documents sharing at least
   two passages with it (see :mod:`newspipe.dedup.paragraphs`), as ``{id, shared_paragraphs}``.

A copy carries ``duplicate_of`` and ``similarity``; with ``NEWSPIPE_KEEP_DUPLICATES`` it stays in
the kept output, marked, but is not indexed (later copies point to the same original). Which copy
is kept depends only on input order.

A kept document can only list documents seen before it: the one it overlaps was written already.
Both directions are in ``overlaps-RUN_ID.jsonl`` (one line per document linked by this run:
``{id, overlaps: [{id, shared_paragraphs}]}``), written at the end of the run with
``clusters-RUN_ID.jsonl`` (one line per kept document this run found copies of:
``{kept, kept_source, copies: [{id, reason, similarity, source}], sources}``). Both summarise
what this run saw, from memory: a run killed before its end leaves neither.

The stage writes to the state inside the run's open transaction and never commits: the recorder
does, once the output files are complete.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar, Self

from newspipe.config import SettingError
from newspipe.dedup.clusters import RunLinks, write_jsonl
from newspipe.dedup.config import DedupConfig
from newspipe.document import FOLDER_SOURCE, normalised_text
from newspipe.run import OutputFile, Run, run_for
from newspipe.stages.base import Stage
from newspipe.state import STATE_FAILURES

if TYPE_CHECKING:
    from itemadapter import ItemAdapter
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from newspipe.dedup.engine import Deduplicator, Fingerprint

__all__ = ["DedupStage"]

logger = logging.getLogger(__name__)

#: ``(text, Fingerprint)``: what :meth:`DedupStage.prepare` computed, for the text it saw.
FINGERPRINT = "_dedup_fingerprint"


def dedup_lookups(doc: dict[str, Any]) -> tuple[str, list[int], list[int]] | None:
    """What judging ``doc`` will look up in the state (content hash, band keys, passage prints),
    when :meth:`DedupStage.prepare` ran on its current text; else None."""
    prepared = doc.get(FINGERPRINT)
    if prepared is None or prepared[0] is not doc.get("text"):
        return None
    fingerprint: Fingerprint = prepared[1]
    return fingerprint.lookups()


def source_hint(doc: Any) -> str | None:
    """The source the document will carry (the source stage runs after this one)."""
    return doc.get("source") or doc.get(FOLDER_SOURCE) or None


class DedupStage(Stage):
    """Rejects exact and near copies of kept documents; links documents sharing passages."""

    name = "dedup"
    settings_read: ClassVar[tuple[str, ...]] = (
        "NEWSPIPE_NEAR_DUP_THRESHOLD",
        "NEWSPIPE_KEEP_DUPLICATES",
        "NEWSPIPE_SHINGLE_SIZE",
        "NEWSPIPE_MINHASH_PERMUTATIONS",
        "NEWSPIPE_LSH_BANDS",
        "NEWSPIPE_LSH_ROWS",
        "NEWSPIPE_STATE",
    )

    # The index and this run's links stay in the crawl process; workers only fingerprint.
    local_only: ClassVar[tuple[str, ...]] = ("crawler", "stats", "run", "dedup", "links")

    run: Run | None = None

    def __init__(self, config: DedupConfig | None = None) -> None:
        self.config = config or DedupConfig()
        self.links = RunLinks()
        self.dedup: Deduplicator | None = None

    @classmethod
    def from_newspipe_settings(cls, settings: BaseSettings) -> Self:
        return cls(DedupConfig.from_settings(settings))

    def bind(self, crawler: Crawler) -> None:
        super().bind(crawler)
        self.run = run_for(crawler)

    def deduplicator(self, run: Run) -> Deduplicator:
        """The index, opened at the first document: after the recorder has taken the run's lock
        and opened the state (a run that reads nothing never touches it)."""
        if self.dedup is None:
            from newspipe.dedup.engine import Deduplicator  # numpy: only once there is work

            dedup = Deduplicator(run.state, self.config)
            try:
                dedup.check_profile()
            except SettingError as exc:
                run.fail(f"state store: {exc}")
                raise
            self.dedup = dedup
        return self.dedup

    def prepare(self, doc: ItemAdapter) -> None:
        # The costly, pure part (hashing, MinHash, passages): may run ahead in a worker process.
        from newspipe.dedup.engine import fingerprint  # numpy: only once there is work

        doc[FINGERPRINT] = (doc.get("text"), fingerprint(normalised_text(doc), self.config))

    def process(self, doc: ItemAdapter) -> None:
        run = self.run
        assert run is not None, "DedupStage needs a crawler (from_crawler)"
        if run.status == "failed":
            return  # nothing more is committed (and the state may be what failed): let it pass
        dedup = self.deduplicator(run)
        try:
            self._judge(doc, dedup, run)
        except STATE_FAILURES as exc:  # one line and a failed run, not a traceback a document
            run.fail(f"state store: {exc}")

    def _judge(self, doc: ItemAdapter, dedup: Deduplicator, run: Run) -> None:
        prepared = doc.get(FINGERPRINT)
        if prepared is None or prepared[0] is not doc.get("text"):
            self.prepare(doc)  # not prepared, or the text changed since
            prepared = doc[FINGERPRINT]
        del doc[FINGERPRINT]
        verdict = dedup.judge(prepared[1])
        doc["content_hash"] = verdict.content_hash
        doc["overlaps"] = [overlap.as_record() for overlap in verdict.overlaps]
        if verdict.reason is None:
            dedup.remember(str(doc["id"]), verdict, run.run_id, source_hint(doc))
            self.links.add_overlaps(str(doc["id"]), verdict.overlaps)
            return
        assert verdict.duplicate_of is not None and verdict.similarity is not None
        doc["duplicate_of"] = verdict.duplicate_of
        doc["similarity"] = verdict.similarity
        kept_source = dedup.state.get_sources([verdict.duplicate_of]).get(verdict.duplicate_of)
        self.links.add_copy(
            verdict.duplicate_of,
            kept_source,
            str(doc["id"]),
            source_hint(doc),
            verdict.reason,
            verdict.similarity,
        )
        if self.config.keep_duplicates:
            return
        if verdict.reason == "duplicate":
            self.reject(
                "duplicate", f"same normalised text as kept document {verdict.duplicate_of}"
            )
        self.reject(
            "near_duplicate",
            f"near-duplicate of kept document {verdict.duplicate_of}: estimated "
            f"{self.config.shingle_size}-word-shingle Jaccard similarity {verdict.similarity:.2f} "
            f"(threshold {self.config.threshold:g})",
        )

    def close_spider(self) -> None:
        run = self.run
        if run is None or self.dedup is None or run.status == "failed":
            return  # a failed run commits no document: no links between them either
        # Not seeds-RUN_ID.*.jsonl: readers and crash recovery take those for document files.
        files = (
            (f"clusters-{run.run_id}.jsonl", "clusters", self.links.cluster_records()),
            (f"overlaps-{run.run_id}.jsonl", "overlaps", self.links.overlap_records()),
        )
        for name, kind, records in files:
            path = run.output_dir / name
            try:
                lines = write_jsonl(path, records)
            except OSError as exc:
                run.fail(f"{path}: cannot write the {kind} file: {exc}")
                continue
            run.outputs.append(OutputFile(path, kind, lines))
        logger.info(
            "dedup: %d kept documents with copies in this run, %d documents sharing passages",
            len(self.links.clusters),
            len(self.links.overlaps),
        )
