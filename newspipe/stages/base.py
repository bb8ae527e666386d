"""The stage API: subclass :class:`Stage`, write :meth:`Stage.process`, enable it in ITEM_PIPELINES.

A stage gets stats counters (``newspipe/<name>/total``, ``forwarded``, ``dropped``,
``dropped/<reason>``) and rejects-file writing for free: it only reads and writes fields of the
document, or raises a reject with a reason word and a sentence for people.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, NoReturn, Self

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from newspipe.rejects import reason_of, reject_for

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector


class Stage:
    """One step of the pipeline: a Scrapy item pipeline written as one method."""

    #: The stage's name in stats keys and in ``scrapy stages``; the class name when empty.
    name: ClassVar[str] = ""
    #: The settings the stage reads, listed with their values by ``scrapy stages``.
    settings_read: ClassVar[tuple[str, ...]] = ()

    crawler: Crawler | None = None
    stats: StatsCollector | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        stage = cls.from_newspipe_settings(crawler.settings)
        stage.bind(crawler)
        return stage

    @classmethod
    def from_newspipe_settings(cls, settings: BaseSettings) -> Self:
        """Build the stage from settings (the one place it reads them).

        Override to read settings; raise ``NotConfigured("why")`` to switch the stage off.
        """
        return cls()

    def bind(self, crawler: Crawler) -> None:
        """Attach the crawler (for stats); called once by :meth:`from_crawler`."""
        self.crawler = crawler
        self.stats = crawler.stats
        prefix = f"newspipe/{self.stage_name()}/"
        self._total_key = prefix + "total"
        self._forwarded_key = prefix + "forwarded"
        self._dropped_prefix = prefix + "dropped"

    @classmethod
    def stage_name(cls) -> str:
        return cls.name or cls.__name__

    def process(self, doc: ItemAdapter) -> None:
        """Read and change ``doc`` in place, or call :meth:`reject`."""
        raise NotImplementedError(f"{type(self).__name__} must define process(doc)")

    def reject(self, reason: str, detail: str) -> NoReturn:
        """Send the document to the rejects file: ``reason`` is one word, ``detail`` a sentence."""
        raise reject_for(reason, detail)

    def process_item(self, item: Any) -> Any:
        stats = self.stats
        if stats is None:
            self.process(ItemAdapter(item))
            return item
        stats.inc_value(self._total_key)
        try:
            self.process(ItemAdapter(item))
        except DropItem as exc:
            stats.inc_value(self._dropped_prefix)
            stats.inc_value(f"{self._dropped_prefix}/{reason_of(exc)}")
            raise
        stats.inc_value(self._forwarded_key)
        return item
