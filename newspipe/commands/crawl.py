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
    _run_crawler: Crawler | None = None

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        # Kept here: the crawler process forgets its crawlers once they finish.
        self._run_crawler = super()._create_crawler(spidercls)
        return self._run_crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        if self.exitcode:
            return
        if self._run_crawler is not None:
            code = run_for(self._run_crawler).exit_code
            if code:
                self.exitcode = code
                return
        assert self.crawler_process is not None
        if self.crawler_process.bootstrap_failed:
            self.exitcode = EXIT_FAILED
