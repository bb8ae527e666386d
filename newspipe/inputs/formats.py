"""Streaming the values out of JSON and JSON Lines text without loading a file whole.

:func:`iter_json_values` reads a JSON array element by element (or a single value, or values one
after another), from text arriving in chunks; :func:`iter_lines` reads lines with a length bound.
Both report what is wrong as :class:`FormatError` values in the stream, never as exceptions, so a
bad element or line costs that element or line only.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from newspipe.inputs.decode import (
    CP1256,
    UTF8,
    UTF8_BOM,
    NotText,
    bom_encoding,
    decode_legacy,
    is_padding,
)

CHUNK = 1 << 20


def _finite(text: str) -> float | str:
    """A JSON number too large for a float (``1e400``) as the text it is: output stays JSON."""
    value = float(text)
    return value if math.isfinite(value) else text


#: strict=False: raw tabs and newlines in strings are common in dumps. ``NaN`` and ``Infinity``
#: (which Python's json reads and writes, and JSON has not) are kept as text, as is a number
#: too large for a float: written back as numbers, they would make records no JSON reader reads.
JSON_DECODER = json.JSONDecoder(strict=False, parse_constant=str, parse_float=_finite)
_SPACE = re.compile(r"[ \t\n\r\ufeff]*")


@dataclass(frozen=True, slots=True)
class FormatError:
    """Why value ``number`` (1-based) could not be read; ``stop`` when nothing after it was read."""

    number: int
    reason: str
    detail: str
    stop: bool = False


@dataclass(frozen=True, slots=True)
class Value:
    number: int  # 0 for the only value of a file, else its 1-based place
    value: Any
    raw: str


class StreamDecoder:
    """Bytes chunks to text: a byte-order mark decides, else UTF-8, switching to a legacy Arabic
    code page at the first non-UTF-8 byte when everything before it was ASCII."""

    def __init__(self, read: Callable[[int], bytes], chunk: int = CHUNK) -> None:
        self.read = read
        self.chunk = chunk
        self.encoding = UTF8
        self.offset = 0

    def chunks(self) -> Iterator[str]:
        """Text chunks; raise :class:`NotText` when the bytes stop being text."""
        data = self.read(self.chunk)
        bom = bom_encoding(data)
        if bom is not None:
            self.encoding = "utf-16" if bom[0].startswith("utf-16") else bom[0]
            data = data[bom[1] :]
            decoder = codecs.getincrementaldecoder(bom[0])()
            self.offset = bom[1]
        else:
            decoder = codecs.getincrementaldecoder("utf-8")()
        narrow = bom is None or bom[0] == UTF8_BOM  # a NUL byte is no character's part
        ascii_so_far = True
        ended = False
        while data:
            binary_at = -1
            if narrow and (nul := data.find(b"\x00")) >= 0:
                # the text before the first NUL is read; NULs to the end are padding (a write
                # cut short), else the rest is binary
                if not self._only_nuls(data[nul:]):
                    binary_at = self.offset + nul
                data, ended = data[:nul], True
            try:
                text = decoder.decode(data)
            except UnicodeDecodeError as exc:
                # exc.object is what the decoder held back from the last chunk, then this one
                bad = self.offset + exc.start - (len(exc.object) - len(data))
                if self.encoding != UTF8 or not ascii_so_far or not data[: exc.start].isascii():
                    # the text before the bad byte is good: hand it on, so its documents are read
                    good = bytes(exc.object[: exc.start]).decode(exc.encoding, "replace")
                    if good:
                        yield good
                    raise NotText(
                        "undecodable",
                        f"not {self.encoding} from byte {bad} on; the rest is not read",
                    ) from None
                legacy = decode_legacy(data)
                if legacy is None:
                    raise NotText(
                        "undecodable", f"not UTF-8, CP1256 or UTF-16 (first bad byte at {bad})"
                    ) from None
                self.encoding = legacy.encoding
                decoder = codecs.getincrementaldecoder(
                    "cp1256" if legacy.encoding == CP1256 else "iso8859_6"
                )()
                text = decoder.decode(data)
            ascii_so_far = ascii_so_far and text.isascii()
            self.offset += len(data)
            yield text
            if binary_at >= 0:
                raise NotText(
                    "binary", f"holds NUL bytes from byte {binary_at} on; the rest is not read"
                )
            data = b"" if ended else self.read(self.chunk)
        try:
            tail = decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise NotText("undecodable", f"ends inside a {self.encoding} character") from None
        if tail:
            yield tail

    def _only_nuls(self, rest: bytes) -> bool:
        """Whether ``rest`` and all the stream after it are NUL bytes or white space (read to
        its end)."""
        while rest:
            if not is_padding(rest):
                return False
            rest = self.read(self.chunk)
        return True


#: Where a malformed value of an array ends and the next begins: ``}``, a comma, ``{`` (the
#: buffer stops before the comma). Between values one after another: ``}`` then ``{``.
NEXT_ELEMENT = re.compile(r"\}[ \t\n\r]*(?=,[ \t\n\r]*\{)")
NEXT_VALUE = re.compile(r"\}[ \t\n\r]*(?=\{)")
#: A boundary may straddle two chunks: the search goes on this far back into the text searched.
_STRADDLE = 64


class _Buffer:
    def __init__(self, chunks: Iterator[str]) -> None:
        self.chunks = chunks
        self.text = ""
        self.pos = 0
        self.eof = False
        #: Where the last malformed value went wrong, counted from its start.
        self.failed_at = 0

    def more(self) -> bool:
        if self.eof:
            return False
        chunk = next(self.chunks, None)
        if chunk is None:
            self.eof = True
            return False
        if self.pos:
            self.text, self.pos = self.text[self.pos :], 0
        self.text += chunk
        return True

    def peek(self) -> str:
        """The next character that is not white space, '' at the end."""
        while True:
            self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""

    def value(self, limit: int) -> tuple[Any, str]:
        """The next JSON value and its text; ValueError (malformed) or OverflowError (too large)."""
        while True:
            try:
                value, end = JSON_DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                incomplete = exc.pos >= len(self.text) - 1 or exc.msg.startswith(
                    "Unterminated string"
                )
                if len(self.text) - self.pos > limit:
                    raise OverflowError(f"over {limit} bytes (or never closed)") from None
                if incomplete and self.more():
                    continue
                self.failed_at = exc.pos - self.pos
                raise ValueError(
                    f"{exc.msg} (character {exc.pos - self.pos} of the value)"
                ) from None
            except RecursionError:
                self.failed_at = 0
                raise ValueError("nested too deeply") from None
            except ValueError:  # an integer of more digits than Python converts
                self.failed_at = 0
                raise
            if end >= len(self.text) and not self.eof and self.more():
                continue  # a number or literal may go on in the next chunk
            if end - self.pos > limit:
                raise OverflowError(f"over {limit} bytes")
            raw = self.text[self.pos : end]
            self.pos = end
            return value, raw

    def skip_malformed(self, boundary: re.Pattern[str], limit: int) -> bool:
        """After a malformed value: move past its end, which ``boundary`` finds after the place
        it went wrong, reading on as needed but no further than ``limit`` characters past its
        start (a longer one is too large anyway); False, nothing moved, when there is none."""
        searched = self.failed_at
        while True:
            match = boundary.search(self.text, self.pos + searched)
            if match is not None:
                self.pos = match.start() + 1  # just after the "}"
                return True
            searched = max(searched, len(self.text) - self.pos - _STRADDLE)
            if len(self.text) - self.pos > limit or not self.more():
                return False


def iter_json_values(chunks: Iterator[str], limit: int) -> Iterator[Value | FormatError]:
    """An array's elements, or the file's one value, or values written one after another."""
    buffer = _Buffer(chunks)
    first = buffer.peek()
    if not first:
        yield FormatError(0, "empty", "no JSON value (empty or only white space)", stop=True)
        return
    if first != "[":
        yield from _sequence(buffer, limit)
        return
    buffer.pos += 1
    number = 0
    after_element = False  # a comma or the end of the array comes next
    while True:
        char = buffer.peek()
        if char == "]":
            buffer.pos += 1
            if buffer.peek() != "[":
                break
            buffer.pos += 1  # another array right after it (a dump appended to): read on
            after_element = False
            continue
        if after_element and char != "{":  # a comma missing between two objects: forgiven
            if char != ",":
                what = f"{char!r}" if char else "the end of the file"
                yield FormatError(
                    number + 1,
                    "malformed",
                    f"expected ',' or ']' after element {number}, found {what}{_after(False)}",
                    stop=True,
                )
                return
            buffer.pos += 1
            if buffer.peek() == "]":  # a trailing comma: forgiven
                continue
        number += 1
        after_element = True
        try:
            value, raw = buffer.value(limit)
        except OverflowError as exc:
            yield FormatError(number, "too_large", f"element {number} is {exc}", stop=True)
            return
        except NotText:
            raise  # the bytes stopped being text: not a JSON fault
        except ValueError as exc:
            resumed = buffer.skip_malformed(NEXT_ELEMENT, limit)
            yield FormatError(
                number,
                "malformed",
                f"element {number} is not JSON: {exc}{_after(resumed)}",
                stop=not resumed,
            )
            if not resumed:
                return
            continue
        yield Value(number, value, raw)
    if buffer.peek():
        yield FormatError(
            number + 1,
            "malformed",
            f"text after the closing ']' of the array{_after(False)}",
            stop=True,
        )


def _sequence(buffer: _Buffer, limit: int) -> Iterator[Value | FormatError]:
    number = 0
    pending: Value | None = None
    try:
        while buffer.peek():
            number += 1
            try:
                value, raw = buffer.value(limit)
            except OverflowError as exc:
                error: FormatError = FormatError(
                    number, "too_large", f"value {number} is {exc}", stop=True
                )
            except NotText:
                raise  # the bytes stopped being text: not a JSON fault
            except ValueError as exc:
                resumed = buffer.skip_malformed(NEXT_VALUE, limit)
                error = FormatError(
                    number,
                    "malformed",
                    f"value {number} is not JSON: {exc}{_after(resumed)}",
                    stop=not resumed,
                )
            else:
                if pending is not None:
                    yield pending
                pending = Value(number, value, raw)
                continue
            if pending is not None:
                yield pending
                pending = None
            yield error
            if error.stop:
                return
    except Exception:
        if pending is not None:
            yield pending  # read before the stream broke: not lost
        raise
    if pending is not None:
        # The one value of a file has no number in its path.
        yield Value(0, pending.value, pending.raw) if pending.number == 1 else pending


def _after(resumed: bool) -> str:
    """What a reader of a malformed value's reject needs to know of the values after it."""
    if resumed:
        return "; read on from the next value"
    return "; nothing after it in the file could be read (no next value found)"


T = TypeVar("T", str, bytes)


@dataclass(frozen=True, slots=True)
class Line(Generic[T]):
    number: int
    text: T | None  # None: longer than the limit (the rest of the line was skipped)


def iter_lines(
    readline: Callable[[int], T], limit: int, newline: T, first: int = 1
) -> Iterator[Line[T]]:
    """Lines with their numbers (from ``first``, 1 for a whole file); a line over ``limit``
    comes as ``None`` and is skipped."""
    number = first - 1
    while True:
        line = readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit:
            while line and not line.endswith(newline):
                line = readline(CHUNK)
            yield Line(number, None)
        else:
            yield Line(number, line)
