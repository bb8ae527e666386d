"""Source stage: ``source``, ``run_id`` and ``ingested_at`` on every kept document.

The spider already resolved ``source`` (the record's own field, else the user's source mapping,
else the seed folder, else ``-a source=``, else the seed root's name); this stage fills it for
documents that come without one. (The agencies a text credits are the attribution stage's.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newspipe.document import FOLDER_SOURCE
from newspipe.run import Run, run_for, utc_now
from newspipe.stages.base import Stage

if TYPE_CHECKING:
    from itemadapter import ItemAdapter
    from scrapy.crawler import Crawler


def fill_source(doc: Any) -> None:
    """``source`` from the document itself, else the folder default the spider worked out."""
    if not doc.get("source"):
        doc["source"] = doc.get(FOLDER_SOURCE) or None


class SourceStage(Stage):
    """Tags each document with where it came from and which run took it in."""

    name = "source"
    run: Run | None = None

    def bind(self, crawler: Crawler) -> None:
        super().bind(crawler)
        self.run = run_for(crawler)

    def process(self, doc: ItemAdapter) -> None:
        assert self.run is not None, "SourceStage needs a crawler (from_crawler)"
        fill_source(doc)
        doc["run_id"] = self.run.run_id
        doc["ingested_at"] = utc_now()
