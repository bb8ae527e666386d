"""The stage API: subclass :class:`Stage`, write :meth:`Stage.process`, enable it in ITEM_PIPELINES.

A stage gets stats counters (``newspipe/<name>/total``, ``forwarded``, ``dropped``,
``dropped/<reason>``) and rejects-file writing for free: it only reads and writes fields of the
document, or calls :meth:`BaseStage.reject` with a reason word and a sentence for people.

:class:`Stage` runs ``process`` on the reactor thread, one document after another in input order
(the order that makes dedup deterministic). :class:`AsyncStage` is for CPU-heavy work: its
``process`` is a coroutine that awaits :meth:`AsyncStage.in_thread` or
:meth:`AsyncStage.in_process`, and while it waits, later documents may overtake the one it holds.
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from time import perf_counter
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn, ParamSpec, Self, TypeVar

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from newspipe.ahead import AHEAD, Step, worker_started
from newspipe.defaults import DEFAULTS
from newspipe.document import adapter_for
from newspipe.rejects import reason_of, reject_for

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

P = ParamSpec("P")
R = TypeVar("R")


class BaseStage:
    """What every stage shares: its name, the settings it reads, stats keys, rejects."""

    #: The stage's name in stats keys and in ``scrapy stages``; the class name when empty.
    name: ClassVar[str] = ""
    #: The settings the stage reads, listed with their values by ``scrapy stages``.
    settings_read: ClassVar[tuple[str, ...]] = ()
    #: Defaults of settings read that are not newspipe's own (a plugin's), for :meth:`setting`.
    setting_defaults: ClassVar[Mapping[str, Any]] = {}
    #: Attributes that stay in the crawl process when the stage is sent to worker processes
    #: (live handles: the crawler, stats, a state store).
    local_only: ClassVar[tuple[str, ...]] = ("crawler", "stats")

    crawler: Crawler | None = None
    stats: StatsCollector | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        stage = cls.from_newspipe_settings(crawler.settings)
        stage.bind(crawler)
        return stage

    @classmethod
    def from_newspipe_settings(cls, settings: BaseSettings) -> Self:
        """Build the stage from settings (the one place it reads them).

        Override to read settings; raise ``NotConfigured("why")`` to switch the stage off.
        """
        return cls()

    @classmethod
    def setting(cls, settings: BaseSettings, name: str) -> Any:
        """``name`` as set, else its default from :attr:`setting_defaults` or newspipe's."""
        value = settings.get(name)
        if value is None:
            value = cls.setting_defaults.get(name, DEFAULTS.get(name))
        return value

    @classmethod
    def current_settings(cls, settings: BaseSettings) -> dict[str, Any]:
        """The settings the stage reads with their current values (what ``scrapy stages`` shows)."""
        return {name: cls.setting(settings, name) for name in cls.settings_read}

    def bind(self, crawler: Crawler) -> None:
        """Attach the crawler (for stats); called once by :meth:`from_crawler`."""
        self.crawler = crawler
        self.stats = crawler.stats
        prefix = f"newspipe/{self.stage_name()}/"
        self._total_key = prefix + "total"
        self._forwarded_key = prefix + "forwarded"
        self._dropped_prefix = prefix + "dropped"
        self._errors_key = prefix + "errors"
        self._seconds_key = prefix + "seconds"
        # Looked up once: Scrapy 2.19's StatsCollector wraps every attribute access (~1 us).
        self._inc = crawler.stats.inc_value  # type: ignore[method-assign]

    @classmethod
    def stage_name(cls) -> str:
        return cls.name or cls.__name__

    def reject(self, reason: str, detail: str) -> NoReturn:
        """Send the document to the rejects file: ``reason`` is one word, ``detail`` a sentence."""
        raise reject_for(reason, detail)

    def __getstate__(self) -> dict[str, Any]:
        # What a worker process gets (see newspipe.ahead): the configuration, no live handles.
        state = dict(self.__dict__)
        for name in (*type(self).local_only, "_inc"):
            state.pop(name, None)
        return state

    # -- counting, shared by the sync and async process_item --------------------------------

    def _inc(self, key: str, count: Any = 1) -> None:
        # Replaced by the stats' own method in bind(); this serves stages given stats by hand.
        if self.stats is not None:
            self.stats.inc_value(key, count)

    def _count_in(self) -> None:
        if self.stats is not None:
            self._inc(self._total_key)

    def _count_out(self, exc: BaseException | None) -> None:
        if self.stats is None:
            return
        inc = self._inc
        if exc is None:
            inc(self._forwarded_key)
        elif isinstance(exc, DropItem):
            inc(self._dropped_prefix)
            inc(f"{self._dropped_prefix}/{reason_of(exc)}")
        else:
            # The recorder turns the crash into a reject with reason "error"; count it here too.
            inc(self._errors_key)


class Stage(BaseStage):
    """One step of the pipeline: a Scrapy item pipeline written as one method, ``process``.

    Set ``pure = True`` when ``process`` only reads and writes the document (no crawler, no
    state, no files, no randomness): newspipe may then run it ahead, in worker processes, on all
    cores (:mod:`newspipe.ahead`). A stage that is not pure may still move its heavy, pure part
    into :meth:`prepare`, which may run ahead too; ``process`` then finds what it left.
    """

    #: ``process`` depends on the document alone, so it may run in a worker process.
    pure: ClassVar[bool] = False

    def process(self, doc: ItemAdapter) -> None:
        """Read and change ``doc`` in place, or call :meth:`reject`."""
        raise NotImplementedError(f"{type(self).__name__} must define process(doc)")

    def prepare(self, doc: ItemAdapter) -> None:
        """Pure work for :meth:`process`, left in ``_``-keys of ``doc``; may run in a worker."""

    @classmethod
    def has_prepare(cls) -> bool:
        return cls.prepare is not Stage.prepare

    def prepare_item(self, item: Any) -> None:
        """:meth:`prepare` for ``item`` now, ahead of :meth:`process_item`: what a worker
        process prepared is taken from its step, else ``prepare`` runs here."""
        steps = item.get(AHEAD) if isinstance(item, dict) else None
        step: Step | None = steps.get(self.stage_name()) if steps else None
        if step is not None and step.mode == "prepare" and not step.failed and not step.reject:
            self._replay_ahead(item)  # process_item then finds it prepared
            return
        self.prepare(adapter_for(item))

    def process_item(self, item: Any) -> Any:
        self._count_in()
        try:
            if not self._replay_ahead(item):
                started = perf_counter()
                self.process(adapter_for(item))
                if self.stats is not None:
                    # Scrapy types counts as int; a float adds up the same way.
                    seconds: Any = perf_counter() - started
                    self._inc(self._seconds_key, seconds)
        except BaseException as exc:
            self._count_out(exc)
            raise
        self._count_out(None)
        return item

    def _replay_ahead(self, item: Any) -> bool:
        """Apply what a worker did for this stage; True when ``process`` need not run."""
        steps = item.get(AHEAD) if isinstance(item, dict) else None
        step: Step | None = steps.pop(self.stage_name(), None) if steps else None
        if step is None or step.failed:
            return False
        if step.reject is not None:
            self.reject(*step.reject)
        return step.mode == "process"


class AsyncStage(BaseStage):
    """A stage whose ``process`` is a coroutine, to run CPU-heavy work off the reactor thread.

    ``await self.in_thread(func, ...)`` suits work that releases the GIL (numpy, hashing,
    compiled libraries); ``await self.in_process(func, ...)`` runs ``func`` in a pool of worker
    processes (``func`` and its arguments are pickled: pass the text, not the document).
    Read and write ``doc`` and call :meth:`reject` in ``process`` itself, on the reactor thread.

    While ``process`` awaits, Scrapy hands the stages the next documents (up to
    ``CONCURRENT_ITEMS`` at once), so documents leave this stage in completion order, not input
    order. Dedup keeps the first copy it sees: put an async stage after dedup (priority above
    300) when which copy is kept must not depend on timing.
    """

    #: Worker processes for :meth:`in_process`; None means one per CPU.
    max_workers: ClassVar[int | None] = None

    _threads: ThreadPoolExecutor | None = None
    _processes: ProcessPoolExecutor | None = None

    async def process(self, doc: ItemAdapter) -> None:
        """Read and change ``doc`` in place, or call :meth:`reject`; await the heavy work."""
        raise NotImplementedError(f"{type(self).__name__} must define async process(doc)")

    async def process_item(self, item: Any) -> Any:
        self._count_in()
        try:
            await self.process(adapter_for(item))
        except BaseException as exc:
            self._count_out(exc)
            raise
        self._count_out(None)
        return item

    async def in_thread(self, func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """``func(*args, **kwargs)`` in a worker thread of this stage."""
        if self._threads is None:
            self._threads = ThreadPoolExecutor(self.max_workers, f"newspipe-{self.stage_name()}")
        return await self._in(self._threads, func, *args, **kwargs)

    async def in_process(self, func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """``func(*args, **kwargs)`` in a worker process (``func`` defined at module level)."""
        if self._processes is None:
            # spawn, not fork: forking a process that runs a reactor and threads can deadlock.
            self._processes = ProcessPoolExecutor(
                self.max_workers or os.cpu_count() or 1,
                multiprocessing.get_context("spawn"),
                initializer=worker_started,  # ignores Ctrl-C, ends with the crawl process
            )
        return await self._in(self._processes, func, *args, **kwargs)

    @staticmethod
    async def _in(executor: Executor, func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        loop = asyncio.get_running_loop()
        # partial, not a lambda: a process pool pickles what it runs
        return await loop.run_in_executor(executor, functools.partial(func, *args, **kwargs))

    def close_spider(self) -> None:
        for pool in (self._threads, self._processes):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        self._threads = self._processes = None
