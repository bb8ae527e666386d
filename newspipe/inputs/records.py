"""JSON records to document fields: which field holds the text, title, url, source, date, author.

The field names are settings (``NEWSPIPE_*_FIELDS``); their defaults read SaudiNewsNet and common
crawler dumps as they are. The first listed field present in a record wins; every other field of the
record is kept under ``meta``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from newspipe import defaults
from newspipe.surrogates import without_surrogates


class BadRecord(ValueError):
    """A record newspipe cannot take a document from; ``reason`` is the reject reason word."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class FieldNames:
    """Where each document field is looked for in a record, in order of preference."""

    text: tuple[str, ...] = tuple(defaults.NEWSPIPE_TEXT_FIELDS.split(","))
    title: tuple[str, ...] = tuple(defaults.NEWSPIPE_TITLE_FIELDS.split(","))
    url: tuple[str, ...] = tuple(defaults.NEWSPIPE_URL_FIELDS.split(","))
    source: tuple[str, ...] = tuple(defaults.NEWSPIPE_SOURCE_FIELDS.split(","))
    date: tuple[str, ...] = tuple(defaults.NEWSPIPE_DATE_FIELDS.split(","))
    author: tuple[str, ...] = tuple(defaults.NEWSPIPE_AUTHOR_FIELDS.split(","))


@dataclass
class RecordFields:
    """What a record gives a document."""

    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published: str | None = None
    author: str | None = None
    meta: dict[str, Any] | None = None


def _first(record: dict[str, Any], names: tuple[str, ...]) -> tuple[str | None, Any]:
    for name in names:
        if name in record and record[name] is not None:
            return name, record[name]
    return None, None


def _take(
    record: dict[str, Any], names: tuple[str, ...], used: set[str], convert: Callable[[Any], Any]
) -> Any:
    """The first of ``names`` that ``record`` holds (not null), converted.

    It leaves ``meta`` when ``convert`` could make something of it, or it is blank; a value of
    another kind (a title that is a number) stays there, as it was. Null ones say nothing and
    leave it too.
    """
    name, value = _first(record, names)
    taken = None if name is None else convert(value)
    if taken is not None or (isinstance(value, str) and not value.strip()):
        used.add(str(name))
    used.update(other for other in names if other in record and record[other] is None)
    return taken


def _stripped(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _as_text(value: Any) -> str | None:
    """A string field, or a list of strings joined by lines (paragraph lists in some dumps)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return "\n".join(value)
    return None


def record_fields(record: Any, names: FieldNames) -> RecordFields:
    """The document fields of one JSON value; raise :class:`BadRecord` when it has no text.

    A lone surrogate escape in a string (``"\\ud83d"`` alone: half of an emoji) is read as
    U+FFFD, the replacement character, as a decoder reads a bad byte.
    """
    record = without_surrogates(record)
    if isinstance(record, str):
        return RecordFields(text=record)
    if not isinstance(record, dict):
        raise BadRecord("malformed", f"a JSON {type(record).__name__}, not an object")
    used: set[str] = set()
    field, value = _first(record, names.text)
    if field is None:
        raise BadRecord("malformed", f"no text field (looked for {', '.join(names.text)})")
    text = _as_text(value)
    if text is None:
        raise BadRecord("malformed", f"field {field!r} holds a {type(value).__name__}, not text")
    used.add(field)
    fields = RecordFields(text=text)
    fields.title = _take(record, names.title, used, _as_text)
    fields.url = _take(record, names.url, used, _stripped)
    fields.source = _take(record, names.source, used, _stripped)
    fields.author = _take(record, names.author, used, _as_text)
    fields.published = _take(record, names.date, used, iso_date)
    meta = {key: value for key, value in record.items() if key not in used}
    fields.meta = meta or None
    return fields


_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%d-%m-%Y")


def iso_date(value: Any) -> str | None:
    """``value`` (ISO text, ``YYYY/MM/DD``, RFC 2822, Unix seconds) as ISO 8601, or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 64:
        return None
    if _DATE_ONLY.match(text):
        try:
            return datetime.strptime(text, "%Y-%m-%d").date().isoformat()
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    for pattern in _FORMATS:
        try:
            parsed = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return parsed.date().isoformat() if "%H" not in pattern else parsed.isoformat()
    try:
        return parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def url_domain(url: str | None) -> str | None:
    """The host of ``url``, lower-case, without ``www.``; None when it has none."""
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host
