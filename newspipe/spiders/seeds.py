"""The ``seeds`` spider: every document under the seed roots, as items, from ``start()``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.settings import BaseSettings

from newspipe.ahead import AheadRunner, worker_count
from newspipe.config import get_list, setting
from newspipe.inputs import InputOptions
from newspipe.inputs.config import input_options
from newspipe.manifest import list_inputs, read_with
from newspipe.run import run_for
from newspipe.scaleout.worker import add_gate, start_worker


class SeedsSpider(Spider):
    """Reads seed files (``NEWSPIPE_SEEDS`` or ``-a path=A,B``) and yields one item per document."""

    name = "seeds"

    def __init__(
        self, *args: Any, path: str | None = None, source: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.path_argument = path
        self.source_argument = source or None

    # The spider reads local files and makes no requests: none of Scrapy's download and response
    # machinery is needed, and leaving it out saves a fifth of a second on every start (what a
    # cron run over unchanged inputs mostly is). Other spiders of the project keep it all.
    custom_settings = {  # noqa: RUF012 (Scrapy reads it per class)
        "DOWNLOADER_MIDDLEWARES_BASE": {},
        "DOWNLOAD_HANDLERS_BASE": {},
        "SPIDER_MIDDLEWARES_BASE": {"scrapy.spidermiddlewares.start.StartSpiderMiddleware": 25},
        "EXTENSIONS_BASE": {
            "scrapy.extensions.corestats.CoreStats": 0,
            "scrapy.extensions.memusage.MemoryUsage": 0,
            "scrapy.extensions.closespider.CloseSpider": 0,
            "scrapy.extensions.feedexport.FeedExporter": 0,
        },
    }

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        add_gate(settings)  # Redis state only: the ordering gate of newspipe.scaleout

    def input_options(self) -> InputOptions:
        if self.path_argument:
            paths = [part.strip() for part in self.path_argument.split(",") if part.strip()]
        else:
            paths = get_list(self.settings, "NEWSPIPE_SEEDS")
        return input_options(self.settings, [Path(p) for p in paths], source=self.source_argument)

    async def start(self) -> AsyncIterator[Any]:
        run = run_for(self.crawler)
        if run.status != "running":
            return  # the run failed before reading (state store, lock): read nothing
        options = self.input_options()
        missing = [
            str(root) for root in options.roots if not root.exists() and not root.is_symlink()
        ]
        if missing or not options.roots:
            what = ", ".join(missing) if missing else "(none given)"
            run.fail(f"input root not found: {what}")
            return
        worker = start_worker(self.crawler, run)
        if worker is not None:
            # Redis state: units come from the queue shared with other workers (newspipe.scaleout).
            async for document in worker.documents(options):
                yield document
            return
        documents = self._documents(options)
        runner = AheadRunner.for_crawler(
            self.crawler, worker_count(setting(self.settings, "NEWSPIPE_WORKERS"))
        )
        if runner is None:
            for document in documents:
                yield document
            return
        # The pure stages run ahead on all cores; documents still come out in input order.
        async for document in runner.run(documents):
            yield document

    def _documents(self, options: InputOptions) -> Iterator[dict[str, Any]]:
        stats = self.crawler.stats
        assert stats is not None
        inputs = run_for(self.crawler).inputs
        for document in inputs.documents(inputs.plan(list_inputs(options)), read_with(options)):
            stats.inc_value("newspipe/documents/read")
            yield document
