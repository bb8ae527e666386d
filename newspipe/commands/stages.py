"""``scrapy stages``: the item pipelines of ``scrapy crawl seeds``, in order, with their settings.

Each newspipe stage is built from its settings (``from_newspipe_settings``, which opens nothing);
a plain Scrapy pipeline with ``from_crawler``, as the crawl would. A stage that raises
``NotConfigured`` or that ``ITEM_PIPELINES`` sets to None is listed as off, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.spiderloader import get_spider_loader
from scrapy.spiders import Spider
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.python import global_object_name

from newspipe.stages.base import BaseStage

if TYPE_CHECKING:
    import argparse

    from scrapy.settings import BaseSettings, Settings

SPIDER = "seeds"


@dataclass
class StageRow:
    """One line of ``scrapy stages``: a pipeline, where it runs, what it reads, whether it is on."""

    priority: float
    path: str
    name: str
    settings: dict[str, Any] = field(default_factory=dict)
    off: str | None = None  # why the stage does not run
    error: str | None = None  # why the crawl would not start


def component_priorities(settings: BaseSettings) -> list[tuple[str, float | None]]:
    """``ITEM_PIPELINES_BASE`` overridden by ``ITEM_PIPELINES``, as (path, priority).

    The same merge as Scrapy's: keyed by what the path imports, shown as last written. A key
    that does not import stays in the list (to be reported) instead of stopping the command.
    """
    merged: dict[str, tuple[str, float | None]] = {}
    for name in ("ITEM_PIPELINES_BASE", "ITEM_PIPELINES"):
        for key, priority in settings.getdict(name).items():
            shown = key if isinstance(key, str) else global_object_name(key)
            merged[_path_of(key)] = (shown, priority)
    return list(merged.values())


def _path_of(key: Any) -> str:
    if not isinstance(key, str):
        return global_object_name(key)
    try:
        return global_object_name(load_object(key))  # an alias and its target are one stage
    except Exception:
        return key


def stage_rows(crawler: Crawler) -> list[StageRow]:
    """The item pipelines of ``crawler``, in the order items pass through them."""
    base = crawler.settings.getdict("ITEM_PIPELINES_BASE")
    base_priorities = {_path_of(key): value for key, value in base.items()}
    rows = []
    for path, priority in component_priorities(crawler.settings):
        if priority is None:
            was = base_priorities.get(_path_of(path))
            off = StageRow(was or 0, path, _name_of(path), off="ITEM_PIPELINES sets it to None")
            rows.append(off)
            continue
        rows.append(describe(path, float(priority), crawler))
    rows.sort(key=lambda row: row.priority)  # stable: ties keep Scrapy's order
    return rows


def _name_of(path: str) -> str:
    try:
        cls = load_object(path)
    except Exception:
        return path.rsplit(".", 1)[-1]
    if isinstance(cls, type) and issubclass(cls, BaseStage):
        return cls.stage_name()
    return str(getattr(cls, "__name__", path))


def describe(path: str, priority: float, crawler: Crawler) -> StageRow:
    """Build the pipeline at ``path`` as the crawl would, and say what it reads."""
    try:
        cls = load_object(path)
    except Exception as exc:
        return StageRow(priority, path, _name_of(path), error=f"cannot import: {exc}")
    is_stage = isinstance(cls, type) and issubclass(cls, BaseStage)
    row = StageRow(priority, path, _name_of(path))
    try:
        if is_stage:
            row.settings = cls.current_settings(crawler.settings)
            cls.from_newspipe_settings(crawler.settings)
        else:
            row.settings = {n: crawler.settings.get(n) for n in getattr(cls, "settings_read", ())}
            build_from_crawler(cls, crawler)
    except NotConfigured as exc:
        row.off = str(exc) or "NotConfigured"
    except Exception as exc:
        row.error = str(exc) or type(exc).__name__
    return row


def render(rows: list[StageRow]) -> str:
    """The listing printed by ``scrapy stages`` (and shown in the README)."""
    width = max((len(row.name) for row in rows), default=0)
    lines = []
    for row in rows:
        state = "off" if row.off is not None else "error" if row.error is not None else ""
        head = f"{_number(row.priority):>5}  {row.name:<{width}}  {row.path}"
        lines.append(f"{head}  [{state}]" if state else head)
        for setting, value in row.settings.items():
            lines.append(f"{'':7}{setting} = {value!r}")
        if row.off is not None:
            lines.append(f"{'':7}off: {row.off}")
        if row.error is not None:
            lines.append(f"{'':7}error: {row.error}")
    return "\n".join(lines)


def _number(priority: float) -> str:
    return str(int(priority)) if float(priority).is_integer() else str(priority)


def crawler_for(settings: Settings, spider: str = SPIDER) -> Crawler:
    """A crawler of ``spider`` with its settings and the add-ons applied, not started."""
    try:
        spidercls: type[Spider] = get_spider_loader(settings).load(spider)
    except KeyError:
        spidercls = Spider
    crawler = Crawler(spidercls, settings)
    crawler.addons.load_settings(crawler.settings)
    crawler.stats = MemoryStatsCollector(crawler)  # for plain pipelines that read it when built
    return crawler


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "List the stages of 'scrapy crawl seeds' in order, with the settings they read"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        rows = stage_rows(crawler_for(self.settings))
        print(render(rows))
        if any(row.error is not None for row in rows):
            self.exitcode = 1
