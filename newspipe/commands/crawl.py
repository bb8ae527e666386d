"""``scrapy crawl``, exiting with the run's status: 0 completed, 1 failed, 75 locked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from newspipe.run import EXIT_FAILED, run_for

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        if self.exitcode:
            return
        assert self.crawler_process is not None
        for crawler in self.crawler_process.crawlers or ():
            code = run_for(crawler).exit_code
            if code:
                self.exitcode = code
                return
        if self.crawler_process.bootstrap_failed:
            self.exitcode = EXIT_FAILED
