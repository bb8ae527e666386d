"""Running a real crawl of the ``seeds`` spider inside the test process tree, items from signals.

Twisted's reactor cannot be restarted, so each crawl runs in a forked child that builds a
:class:`~scrapy.crawler.CrawlerProcess` with the project's settings, collects what the
``item_scraped`` and ``item_dropped`` signals carry, and sends it back.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import PROJECT_ROOT


@dataclass
class CrawlResult:
    kept: list[dict[str, Any]] = field(default_factory=list)
    dropped: list[tuple[dict[str, Any], str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    exit_code: int = 0
    run_id: str = ""
    output_dir: Path = Path()

    @property
    def kept_by_path(self) -> dict[str, dict[str, Any]]:
        return {str(doc["path"]): doc for doc in self.kept}

    @property
    def reasons(self) -> dict[str, str]:
        """path -> reject reason word of the dropped documents."""
        return {str(doc.get("path")): reason for doc, reason, _ in self.dropped}


def _child(settings: dict[str, Any], spider_args: dict[str, Any], queue: Any) -> None:
    try:
        from scrapy import signals
        from scrapy.crawler import CrawlerProcess
        from scrapy.utils.project import get_project_settings

        from newspipe.rejects import Reject, reason_of
        from newspipe.run import run_for

        os.chdir(settings.pop("_cwd", PROJECT_ROOT))
        project_settings = get_project_settings()
        project_settings.setdict({"LOG_LEVEL": "WARNING", **settings}, priority="cmdline")
        process = CrawlerProcess(project_settings, install_root_handler=False)
        crawler = process.create_crawler("seeds")
        result = CrawlResult()

        def scraped(item: Any, **_: Any) -> None:
            result.kept.append(dict(item))

        def dropped(item: Any, exception: BaseException, **_: Any) -> None:
            detail = exception.detail if isinstance(exception, Reject) else str(exception)
            result.dropped.append((dict(item), reason_of(exception), detail))

        def errored(item: Any, failure: Any, **_: Any) -> None:
            result.errors.append(repr(failure.value))

        crawler.signals.connect(scraped, signal=signals.item_scraped)
        crawler.signals.connect(dropped, signal=signals.item_dropped)
        crawler.signals.connect(errored, signal=signals.item_error)
        process.crawl(crawler, **spider_args)
        process.start()
        run = run_for(crawler)
        assert crawler.stats is not None
        result.stats = {
            k: v for k, v in crawler.stats.get_stats().items() if isinstance(v, int | float | str)
        }
        result.exit_code = run.exit_code
        result.run_id = run.run_id
        result.output_dir = run.output_dir
        for doc in [*result.kept, *(d for d, _, _ in result.dropped)]:
            for key in [k for k in doc if k.startswith("_")]:
                doc.pop(key)
        queue.put(("ok", result))
    except BaseException:
        queue.put(("error", traceback.format_exc()))


def crawl(
    settings: dict[str, Any] | None = None, timeout: float = 600, **spider_args: Any
) -> CrawlResult:
    """Run ``seeds`` with the project settings plus ``settings``; return what the signals saw."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child, args=(dict(settings or {}), spider_args, queue))
    child.start()
    status, payload = queue.get(timeout=timeout)
    child.join(timeout=30)
    if status != "ok":
        raise AssertionError(f"the crawl raised:\n{payload}")
    assert isinstance(payload, CrawlResult)
    return payload
