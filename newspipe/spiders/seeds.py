"""The ``seeds`` spider: every document under the seed roots, as items, straight from ``start()``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.settings import BaseSettings

from newspipe.config import get_list
from newspipe.inputs import InputOptions, iter_documents
from newspipe.run import run_for
from newspipe.scaleout.worker import add_gate, start_worker


class SeedsSpider(Spider):
    """Reads seed files (``NEWSPIPE_SEEDS`` or ``-a path=A,B``) and yields one item per document."""

    name = "seeds"

    def __init__(self, *args: Any, path: str | None = None, source: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.path_argument = path
        self.source_argument = source or None

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        add_gate(settings)  # Redis state only: the ordering gate of newspipe.scaleout

    def input_options(self) -> InputOptions:
        if self.path_argument:
            paths = [part.strip() for part in self.path_argument.split(",") if part.strip()]
        else:
            paths = get_list(self.settings, "NEWSPIPE_SEEDS")
        return InputOptions(roots=tuple(Path(p) for p in paths), source=self.source_argument)

    async def start(self) -> AsyncIterator[Any]:
        run = run_for(self.crawler)
        if run.status != "running":
            return  # the run failed before reading (state store, lock): read nothing
        options = self.input_options()
        missing = [str(root) for root in options.roots if not root.exists()]
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
        stats = self.crawler.stats
        assert stats is not None
        for document in iter_documents(options):
            stats.inc_value("newspipe/documents/read")
            yield document
