"""The run's duplicate clusters and shared-passage links, written as JSON Lines at the end of a run.

Only what this run found is held in memory (the copies and the overlaps it saw), never the index.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from newspipe.atomic import write_atomic

if TYPE_CHECKING:
    from pathlib import Path

    from newspipe.dedup.engine import Overlap


@dataclass(slots=True)
class Cluster:
    """A kept document and the copies of it this run rejected (or kept, marked)."""

    kept: str
    kept_source: str | None
    copies: list[dict[str, Any]] = field(default_factory=list)

    def as_record(self) -> dict[str, Any]:
        sources: dict[str, None] = {}
        for source in (self.kept_source, *(copy["source"] for copy in self.copies)):
            if source:
                sources.setdefault(source, None)
        return {
            "kept": self.kept,
            "kept_source": self.kept_source,
            "copies": self.copies,
            "sources": list(sources),
        }


class RunLinks:
    """Collects the clusters (kept id -> copies) and overlaps (id -> ids) of one run."""

    def __init__(self) -> None:
        self.clusters: dict[str, Cluster] = {}
        self.overlaps: dict[str, dict[str, int]] = {}

    def add_copy(
        self,
        kept: str,
        kept_source: str | None,
        copy: str,
        copy_source: str | None,
        reason: str,
        similarity: float,
    ) -> None:
        cluster = self.clusters.get(kept)
        if cluster is None:
            cluster = self.clusters[kept] = Cluster(kept, kept_source)
        cluster.copies.append(
            {"id": copy, "reason": reason, "similarity": similarity, "source": copy_source}
        )

    def add_overlaps(self, doc_id: str, overlaps: list[Overlap]) -> None:
        """``doc_id`` shares passages with earlier documents: link both ways."""
        for overlap in overlaps:
            self.overlaps.setdefault(doc_id, {})[overlap.id] = overlap.shared_paragraphs
            self.overlaps.setdefault(overlap.id, {})[doc_id] = overlap.shared_paragraphs

    # Records made one at a time as the file is written: all of them at once, with their lines,
    # took some 20 MB at the end of a run over the 12 SaudiNewsNet zips (the run's peak memory).

    def cluster_records(self) -> Iterator[dict[str, Any]]:
        return (cluster.as_record() for cluster in self.clusters.values())

    def overlap_records(self) -> Iterator[dict[str, Any]]:
        for doc_id, links in self.overlaps.items():
            ranked = sorted(links.items(), key=lambda item: (-item[1], item[0]))
            yield {
                "id": doc_id,
                "overlaps": [{"id": other, "shared_paragraphs": count} for other, count in ranked],
            }


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Write ``records`` as UTF-8 JSON Lines under ``path`` atomically, one line at a time; the
    number of lines."""
    from newspipe.output_lines import record_line  # the crawl process's (orjson): not the workers'

    count = 0

    def lines() -> Iterator[bytes]:
        nonlocal count
        for record in records:
            count += 1
            yield record_line(record)

    write_atomic(path, lines())
    return count
