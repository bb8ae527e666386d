"""Lone surrogates: characters a Python string can hold and UTF-8 cannot.

They come from two kinds of input:

- a file or folder name whose bytes are not UTF-8: Python gives each such byte as one of
  U+DC80..U+DCFF ("surrogateescape"), so that the name still opens the file;
- a JSON escape naming half of a UTF-16 pair alone (``"\\ud83d"``: an emoji cut in two by the
  program that wrote the dump), which ``json`` decodes as it is.

Written out as they are, they stop a run (``UnicodeEncodeError``) in the state store, the dedup
hashes or the output files. These functions turn them into text at the input, each as the place
needs, and :func:`utf8` keeps one that a stage makes from stopping the run at the output.
"""

from __future__ import annotations

import re
from typing import Any

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_REPLACEMENT = "\ufffd"


def is_utf8(text: str) -> bool:
    """Whether ``text`` has no lone surrogate (UTF-8 can encode it)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def without_surrogates(value: Any) -> Any:
    """A parsed JSON value with each lone surrogate in its strings (keys too) replaced by
    U+FFFD, the replacement character; ``value`` itself when it has none (nearly always)."""
    if isinstance(value, str):
        return value if is_utf8(value) else _LONE_SURROGATE.sub(_REPLACEMENT, value)
    if isinstance(value, dict):
        for key, item in value.items():  # checked first: building nothing in the common case
            if without_surrogates(key) is not key or without_surrogates(item) is not item:
                return {without_surrogates(k): without_surrogates(v) for k, v in value.items()}
        return value
    if isinstance(value, list):
        for item in value:
            if without_surrogates(item) is not item:
                return [without_surrogates(part) for part in value]
        return value
    return value


def shown(path: str) -> str:
    """``path`` as records and messages write it: a byte of a name that is not UTF-8 as
    ``\\xff``, as Python prints it."""
    if is_utf8(path):
        return path
    try:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte: no file name has one
        return _LONE_SURROGATE.sub(_REPLACEMENT, path)


def key_text(path: str) -> str:
    """``path`` as a key of the input manifest: text any state store holds.

    A byte of a name that is not UTF-8 becomes NUL and its two hex digits: no path holds NUL, so
    no two paths share a key, and a folder's key stays the start of its files' keys. A path of
    UTF-8 names is its own key, as it always was.
    """
    if is_utf8(path):
        return path
    return _ESCAPED_BYTE.sub(lambda match: f"\0{ord(match[0]) - 0xDC00:02x}", path)


def utf8(text: str) -> bytes:
    """``text`` as UTF-8 for an output file; a lone surrogate that reached it (set by a stage of
    yours) is written as U+FFFD, so that one bad value never stops the run."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub(_REPLACEMENT, text).encode("utf-8")
