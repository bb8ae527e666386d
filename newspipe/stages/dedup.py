"""Dedup stage: ``content_hash`` of the normalised text; copies of kept documents rejected."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, ClassVar, Self

from newspipe.config import get_bool
from newspipe.document import normalised_text
from newspipe.run import Run, run_for
from newspipe.stages.base import Stage

if TYPE_CHECKING:
    from itemadapter import ItemAdapter
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings


def content_hash(normalised: str) -> str:
    """The hash written as ``content_hash``: 128 bits of BLAKE2b of the normalised text."""
    return hashlib.blake2b(normalised.encode("utf-8"), digest_size=16).hexdigest()


class DedupStage(Stage):
    """Rejects exact copies (same normalised text) of documents kept now or by earlier runs."""

    name = "dedup"
    settings_read: ClassVar[tuple[str, ...]] = ("NEWSPIPE_KEEP_DUPLICATES", "NEWSPIPE_STATE")

    run: Run | None = None

    def __init__(self, *, keep_duplicates: bool = False) -> None:
        self.keep_duplicates = keep_duplicates

    @classmethod
    def from_newspipe_settings(cls, settings: BaseSettings) -> Self:
        return cls(keep_duplicates=get_bool(settings, "NEWSPIPE_KEEP_DUPLICATES"))

    def bind(self, crawler: Crawler) -> None:
        super().bind(crawler)
        self.run = run_for(crawler)

    def process(self, doc: ItemAdapter) -> None:
        assert self.run is not None, "DedupStage needs a crawler (from_crawler)"
        state = self.run.state
        digest = content_hash(normalised_text(doc))
        doc["content_hash"] = digest
        original = state.find_exact(digest)
        if original is None:
            state.add_kept(digest, str(doc["id"]), self.run.run_id)
            return
        doc["duplicate_of"] = original
        doc["similarity"] = 1.0
        if not self.keep_duplicates:
            self.reject("duplicate", f"same normalised text as kept document {original}")
