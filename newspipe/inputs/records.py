"""JSON records to document fields: which field holds the text, title, url, source, date, author.

The field names are settings (``NEWSPIPE_*_FIELDS``); their defaults read SaudiNewsNet and common
crawler dumps as they are. The first listed field present in a record wins; every other field of the
record is kept under ``meta``. A name with dots reaches into objects (``data.content``: the
``content`` of the record's ``data``) unless the record has a field of that very name.
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


_MISSING = object()


def _lookup(record: dict[str, Any], name: str) -> Any:
    """The value of field ``name`` (dotted: inside objects) in ``record``, or ``_MISSING``."""
    if name in record or "." not in name:
        return record.get(name, _MISSING)
    node: Any = record
    for part in name.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _first(record: dict[str, Any], names: tuple[str, ...]) -> tuple[str | None, Any]:
    for name in names:
        value = _lookup(record, name)
        if value is not _MISSING and value is not None:
            return name, value
    return None, None


def _without(record: dict[str, Any], used: set[str]) -> dict[str, Any]:
    """``record`` without the fields taken (an object left empty by that goes too)."""
    rest = {key: value for key, value in record.items() if key not in used}
    for name in used:
        if name not in record:  # a dotted name, reaching into objects
            _drop(rest, name.split("."))
    return rest


def _drop(node: dict[str, Any], parts: list[str]) -> None:
    """Remove the field at ``parts`` from ``node``, copying the objects on the way (the record
    is not changed)."""
    head, rest = parts[0], parts[1:]
    if not rest:
        node.pop(head, None)
        return
    child = node.get(head)
    if not isinstance(child, dict):
        return
    node[head] = child = dict(child)
    _drop(child, rest)
    if not child:
        del node[head]


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
    used.update(other for other in names if _lookup(record, other) is None)
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


def _json_kind(value: Any) -> str:
    """What a JSON value is, in JSON's words: ``an array``, ``a number``, ``null``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return "an array" if isinstance(value, list) else "an object"


def record_fields(record: Any, names: FieldNames) -> RecordFields:
    """The document fields of one JSON value; raise :class:`BadRecord` when it has no text.

    A lone surrogate escape in a string (``"\\ud83d"`` alone: half of an emoji) is read as
    U+FFFD, the replacement character, as a decoder reads a bad byte.
    """
    record = without_surrogates(record)
    if isinstance(record, str):
        return RecordFields(text=record)
    if not isinstance(record, dict):
        raise BadRecord("malformed", f"{_json_kind(record)}, not an object")
    used: set[str] = set()
    field, value = _first(record, names.text)
    if field is None:
        raise BadRecord("malformed", f"no text field (looked for {', '.join(names.text)})")
    text = _as_text(value)
    if text is None:
        raise BadRecord("malformed", f"field {field!r} holds {_json_kind(value)}, not text")
    used.add(field)
    fields = RecordFields(text=text)
    fields.title = _take(record, names.title, used, _as_text)
    fields.url = _take(record, names.url, used, _stripped)
    fields.source = _take(record, names.source, used, _stripped)
    fields.author = _take(record, names.author, used, _as_text)
    fields.published = _take(record, names.date, used, iso_date)
    fields.meta = _without(record, used) or None
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
