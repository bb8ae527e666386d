"""``scrapy crawl``, exiting with the run's status: 0 completed, 1 failed, 75 locked.

Every newspipe setting is read before the crawl starts: a bad one is one line and exit 1, not a
traceback from deep inside Scrapy.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import load_object

from newspipe.ahead import worker_count
from newspipe.config import SettingError, setting
from newspipe.inputs.config import input_options
from newspipe.recorder import RunRecorder
from newspipe.run import EXIT_FAILED, run_for, run_from_settings
from newspipe.stages.base import BaseStage

if TYPE_CHECKING:
    import argparse

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


def check_settings(settings: BaseSettings) -> None:
    """Read every newspipe setting as the run will (the run's, the recorder's, the inputs', the
    workers', each stage's); raise :class:`SettingError` at the first bad one."""
    run_from_settings(settings)
    RunRecorder.options(settings)
    input_options(settings, [])
    worker_count(setting(settings, "NEWSPIPE_WORKERS"))
    for path, priority in settings.getwithbase("ITEM_PIPELINES").items():
        if priority is None:
            continue
        try:
            stage = load_object(path)
        except (ImportError, AttributeError, NameError, ValueError) as exc:
            raise SettingError(f"ITEM_PIPELINES: cannot load {path!r} ({exc})") from None
        if isinstance(stage, type) and issubclass(stage, BaseStage):
            with suppress(NotConfigured):  # switched off: Scrapy says so when it builds it
                stage.from_newspipe_settings(settings)


class Command(ScrapyCrawlCommand):
    crawler: Crawler | None = None

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        # CrawlerProcess forgets its crawlers once they finish: keep ours to read its run.
        self.crawler = super()._create_crawler(spidercls)
        return self.crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        try:
            check_settings(self.settings)
        except SettingError as exc:
            logger.error("bad setting: %s", exc)
            self.exitcode = EXIT_FAILED
            return
        super().run(args, opts)
        if self.exitcode:
            return
        if self.crawler is None:
            self.exitcode = EXIT_FAILED
            return
        self.exitcode = run_for(self.crawler).exit_code
