"""Scrapy feed-export parts: a storage that renames complete files, an exporter for the records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlparse
from urllib.request import url2pathname

from scrapy.exporters import JsonLinesItemExporter
from scrapy.spiders import Spider

from newspipe.atomic import finish, temp_path_for


class AtomicFileFeedStorage:
    """Like Scrapy's ``FileFeedStorage``, but the file gets its final name only once complete.

    A run killed half-way leaves a hidden ``.NAME.PID.tmp`` file, never a truncated ``NAME``.
    """

    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None) -> None:
        self.path = Path(url2pathname(urlparse(uri).path) if uri.startswith("file:") else uri)
        self.temp = temp_path_for(self.path)

    def open(self, spider: Spider) -> IO[bytes]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return self.temp.open("wb")

    def store(self, file: IO[bytes]) -> None:
        finish(file, self.temp, self.path)


class JsonLinesExporter(JsonLinesItemExporter):
    """JSON Lines in UTF-8 (Arabic as written, not ``\\u``-escaped), without working keys."""

    def __init__(self, file: Any, **kwargs: Any) -> None:
        super().__init__(file, **kwargs)
        self._plain_dicts = not self.fields_to_export

    def export_item(self, item: Any) -> None:
        if self._plain_dicts and type(item) is dict:
            record = {key: value for key, value in item.items() if not key.startswith("_")}
            line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
            self.file.write(line.encode(self.encoding or "utf-8"))
            return
        super().export_item(item)
