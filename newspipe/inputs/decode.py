"""Bytes to text: which encodings newspipe reads, and why a file is not text."""

from __future__ import annotations

from dataclasses import dataclass


class NotText(ValueError):
    """The bytes are not text newspipe can read; ``reason`` is the reject reason word."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str


def decode_bytes(data: bytes) -> Decoded:
    """Decode UTF-8 (with or without a byte-order mark); raise :class:`NotText` otherwise."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise NotText("binary", f"holds NUL bytes (first at byte {nul}): not a text file")
    if data.startswith(b"\xef\xbb\xbf"):
        data, encoding = data[3:], "utf-8-sig"
    else:
        encoding = "utf-8"
    try:
        return Decoded(data.decode("utf-8"), encoding)
    except UnicodeDecodeError as exc:
        raise NotText("undecodable", f"not UTF-8 (first bad byte at {exc.start})") from None
