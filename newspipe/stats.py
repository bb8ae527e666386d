"""Scrapy's in-memory stats collector, without the wrapper Scrapy 2.19 puts around every call.

A crawl counts per document and per stage: 20,000 documents make about half a million
``inc_value`` calls. Scrapy 2.19's ``StatsCollector.__getattribute__`` wraps each public method
to warn about a deprecated ``spider`` argument, and every attribute access in it (``self._stats``
too) goes through that hook first: about 2 us a call, a second of a 15-second crawl. newspipe
never passes ``spider``, so its collector reads attributes the plain way. It is installed by the
add-on unless ``STATS_CLASS`` is set.
"""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class NewspipeStatsCollector(MemoryStatsCollector):
    """:class:`scrapy.statscollectors.MemoryStatsCollector`, with plain attribute access."""

    __getattribute__ = object.__getattribute__
