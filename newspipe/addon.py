"""The newspipe add-on: settings defaults, the feed parts and the run recorder.

The kept and rejected documents are written by the run recorder in shards committed together with
the state (:mod:`newspipe.shards`), not by a Scrapy feed: a feed cannot be tied to the state's
commits, and a killed run would leave its batches half-written. ``-O``/``-o`` still add feeds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.settings import SETTINGS_PRIORITIES

from newspipe.config import get_str
from newspipe.defaults import DEFAULTS
from newspipe.run import new_run_id

if TYPE_CHECKING:
    from scrapy.settings import Settings

FEED_FORMAT = "newspipe-jsonl"


class NewspipeAddon:
    """Installs what every newspipe crawl needs, without touching what the user set."""

    def update_settings(self, settings: Settings) -> None:
        for name, value in DEFAULTS.items():
            settings.setdefault(name, value)
        if not get_str(settings, "NEWSPIPE_RUN_ID"):
            settings.set("NEWSPIPE_RUN_ID", new_run_id(), priority="cmdline")

        exporters = settings.getdict("FEED_EXPORTERS")
        exporters[FEED_FORMAT] = "newspipe.feeds.JsonLinesExporter"
        priority = settings.getpriority("FEED_EXPORTERS") or 0
        settings.set("FEED_EXPORTERS", exporters, priority=priority)
        storages = settings.getdict("FEED_STORAGES")
        storages.setdefault("file", "newspipe.feeds.AtomicFileFeedStorage")
        storages.setdefault("", "newspipe.feeds.AtomicFileFeedStorage")
        settings.set("FEED_STORAGES", storages, priority=settings.getpriority("FEED_STORAGES") or 0)

        # Faster stand-ins for two of Scrapy's per-document costs (see their modules).
        for name, path in (
            ("STATS_CLASS", "newspipe.stats.NewspipeStatsCollector"),
            ("LOG_FORMATTER", "newspipe.logformatter.NewspipeLogFormatter"),
        ):
            if settings.getpriority(name) == SETTINGS_PRIORITIES["default"]:
                settings.set(name, path, priority="addon")

        extensions = settings.getdict("EXTENSIONS")
        extensions.setdefault("newspipe.recorder.RunRecorder", 0)
        settings.set("EXTENSIONS", extensions, priority=settings.getpriority("EXTENSIONS") or 0)
