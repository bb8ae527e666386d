"""Scrapy's log formatter, without the per-document lines the log level hides anyway.

For every item scraped or dropped, Scrapy's scraper asks the formatter for a log line and logs
it; with ``LOG_LEVEL`` above ``DEBUG`` the line is built, turned into a log record and only then
thrown away by the handler (the logger itself lets DEBUG through). Returning None skips all
that: a few microseconds a document. Installed by the add-on unless ``LOG_FORMATTER`` is set.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Self

from scrapy.logformatter import LogFormatter

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.logformatter import LogFormatterResult
    from twisted.python.failure import Failure


class NewspipeLogFormatter(LogFormatter):
    """:class:`scrapy.logformatter.LogFormatter` that leaves out lines below ``LOG_LEVEL``."""

    def __init__(self, lowest_level: int = logging.DEBUG) -> None:
        super().__init__()
        self.lowest_level = lowest_level

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(level_number(crawler.settings.get("LOG_LEVEL")))

    def scraped(  # type: ignore[override]  # Scrapy's scraper skips a None line
        self, item: Any, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult | None:
        if self.lowest_level > logging.DEBUG:
            return None
        return super().scraped(item, response, spider)

    def dropped(  # type: ignore[override]
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> LogFormatterResult | None:
        line = super().dropped(item, exception, response, spider)
        return line if level_number(line["level"]) >= self.lowest_level else None


def level_number(level: Any) -> int:
    """A log level as a number (``"INFO"`` or 20); an unknown name counts as DEBUG."""
    if isinstance(level, int):
        return level
    number = logging.getLevelName(str(level or "DEBUG").upper())
    return number if isinstance(number, int) else logging.DEBUG
