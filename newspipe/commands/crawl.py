"""``scrapy crawl``, exiting with the run's status: 0 completed, 1 failed, 75 locked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from newspipe.run import EXIT_FAILED, run_for

if TYPE_CHECKING:
    import argparse

    from scrapy import Spider
    from scrapy.crawler import Crawler


class Command(ScrapyCrawlCommand):
    crawler: Crawler | None = None

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        # CrawlerProcess forgets its crawlers once they finish: keep ours to read its run.
        self.crawler = super()._create_crawler(spidercls)
        return self.crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        if self.exitcode:
            return
        if self.crawler is None:
            self.exitcode = EXIT_FAILED
            return
        self.exitcode = run_for(self.crawler).exit_code
