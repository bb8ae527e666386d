"""Attribution stage: ``attribution``, the news agencies the cleaned text credits.

Pure (it reads ``text`` only), so it runs ahead in the worker processes with clean and language;
kept apart from the source stage, which needs the run, for that reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newspipe.sources.attribution import attributions
from newspipe.stages.base import Stage

if TYPE_CHECKING:
    from itemadapter import ItemAdapter


class AttributionStage(Stage):
    """Lists the agencies a document credits (Reuters, AFP, SPA, ...) under ``attribution``."""

    name = "attribution"
    pure = True

    def process(self, doc: ItemAdapter) -> None:
        credited = attributions(doc.get("text"))
        doc["attribution"] = credited
        if self.stats is not None:
            for agency in credited:
                self.stats.inc_value(f"newspipe/attribution/credited/{agency}")
