"""Zstandard (``.zst``) files read as a stream, as the standard library reads ``.gz`` and ``.xz``.

Corpus dumps are often zstd-compressed JSON Lines (``.jsonl.zst``). The ``zstandard`` package
decompresses; this wraps it the way newspipe's other decompressors behave:

- every frame is read in turn (``zstd`` writes one frame a file, but files are also joined, and
  multi-threaded compressors write several), skippable frames skipped;
- a file that stops in the middle of a frame is an error, as a cut gzip file is (``EOFError``),
  not a silent early end: its documents up to the cut are read, then it is rejected with the
  reason;
- compressed data is fed a little at a time, so that a small file that expands enormously (a
  "zip bomb") is stopped by ``NEWSPIPE_MAX_ARCHIVE_BYTES`` before it fills memory.
"""

from __future__ import annotations

import io
from typing import IO, Any

#: Compressed bytes decompressed at once: zstd expands at most about 32,000 times (a run of one
#: byte), so one step makes at most about 32 MB.
FEED_BYTES = 1 << 10


class ZstdError(Exception):
    """zstd data that does not decompress, or that ends in the middle of a frame."""


class ZstdReader(io.RawIOBase):
    """The decompressed bytes of a zstd stream ``raw``; raises :class:`ZstdError` on data that
    is not zstd, or that ends in the middle of a frame (after giving what was decoded before)."""

    def __init__(self, raw: IO[bytes]) -> None:
        # Imported here: a run with no .zst input (most) never loads it, in any process.
        import zstandard

        super().__init__()
        self._raw = raw
        self._new_frame = zstandard.ZstdDecompressor().decompressobj
        self._library_error = zstandard.ZstdError
        self._frame: Any = self._new_frame()
        self._in_frame = False  # bytes of a frame were fed and its end not reached yet
        self._out = b""
        self._at = 0
        self._ended = False
        self._failure: ZstdError | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.read1(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read1(self, size: int = -1) -> bytes:
        while self._at >= len(self._out):
            if self._failure is not None:
                raise self._failure
            if self._ended:
                return b""
            self._out, self._at = self._decompress(self._raw.read(FEED_BYTES)), 0
        end = len(self._out) if size < 0 else min(len(self._out), self._at + size)
        data = self._out[self._at : end]
        self._at = end
        return data

    def _decompress(self, data: bytes) -> bytes:
        """What ``data`` (the next compressed bytes; empty: the end) decodes to. A failure is
        raised at the next read, once what was decoded before it has been read."""
        if not data:
            self._ended = True
            if self._in_frame:
                self._failure = ZstdError("the data ends in the middle of a zstd frame (cut short)")
            return b""
        parts: list[bytes] = []
        try:
            while data:
                parts.append(self._frame.decompress(data))
                self._in_frame = not self._frame.eof
                if self._in_frame:
                    break
                data = self._frame.unused_data  # the next frame's first bytes, if any
                self._frame = self._new_frame()
        except self._library_error as exc:
            self._failure = ZstdError(f"not valid zstd data ({exc})")
        return b"".join(parts)

    def close(self) -> None:
        self._out = b""
        super().close()
