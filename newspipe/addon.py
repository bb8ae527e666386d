"""The newspipe add-on: settings defaults, the kept-documents feed and the run recorder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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
        run_id = get_str(settings, "NEWSPIPE_RUN_ID")
        output_dir = Path(get_str(settings, "NEWSPIPE_OUTPUT_DIR") or ".").resolve()

        exporters = settings.getdict("FEED_EXPORTERS")
        exporters[FEED_FORMAT] = "newspipe.feeds.JsonLinesExporter"
        settings.set("FEED_EXPORTERS", exporters, priority=settings.getpriority("FEED_EXPORTERS") or 0)
        storages = settings.getdict("FEED_STORAGES")
        storages.setdefault("file", "newspipe.feeds.AtomicFileFeedStorage")
        storages.setdefault("", "newspipe.feeds.AtomicFileFeedStorage")
        settings.set("FEED_STORAGES", storages, priority=settings.getpriority("FEED_STORAGES") or 0)

        # -O/-o on the command line set FEEDS at a high priority: ours is added to theirs.
        feeds = settings.getdict("FEEDS")
        kept = (output_dir / f"seeds-{run_id}.jsonl").as_uri()
        feeds[kept] = {"format": FEED_FORMAT, "encoding": "utf-8", "store_empty": True}
        settings.set("FEEDS", feeds, priority=max(settings.getpriority("FEEDS") or 0, 40))

        extensions = settings.getdict("EXTENSIONS")
        extensions.setdefault("newspipe.recorder.RunRecorder", 0)
        settings.set("EXTENSIONS", extensions, priority=settings.getpriority("EXTENSIONS") or 0)
