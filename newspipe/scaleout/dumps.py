"""A JSON Lines dump appended to between batches: the next batch reads its new lines only.

With the SQLite state, the input manifest knows how much of a dump earlier runs read
(:func:`newspipe.manifest.lines_added`). With Redis state there is no input manifest, so a worker
keeps the same facts itself: with each JSON Lines unit it commits, it records in the namespace's
``ingested_lines`` hash the manifest's record of it (:class:`~newspipe.manifest.InputRecord`: the
bytes it read, their digest, and the documents they held). A later batch that finds the file
larger, its first bytes those read and ending at a line's end, reads on from there: the documents
before are not read again, so they do not come out a second time as duplicates of themselves. A
compressed dump (``.jsonl.gz``, ``.bz2``, ``.xz``, ``.zst``) is read on from its new streams when
the bytes read were whole streams of whole lines (a day's lines compressed on their own and added
at the end). Any other change reads the file whole.

The record is written in the commit that marks the unit done, so a unit taken over after a crash
finds the record its first worker found, and reads the same documents.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from newspipe.inputs.read import (
    compressed_line_pieces,
    empty_reject,
    file_head,
    format_of,
    line_pieces,
    read_input,
    read_piece,
    written_as_json,
)
from newspipe.manifest import InputRecord, Signature, lines_added, signature_as_read

if TYPE_CHECKING:
    from newspipe.inputs.read import InputFile, InputOptions

logger = logging.getLogger(__name__)

#: A dump is read in pieces of about this size, one after another: what a worker holds of it.
PIECE_BYTES = 1 << 20


def stored_record(value: str | bytes | None) -> InputRecord | None:
    """What the namespace's ``ingested_lines`` holds for a unit, as the input manifest's record
    (None when there is none, or it cannot be read: the file is then read whole)."""
    if value is None:
        return None
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return InputRecord.from_json(text)


def is_lines_dump(input_file: InputFile) -> bool:
    """Whether the unit is a JSON Lines file, plain or compressed (by its name): one that may
    grow."""
    return (format_of(input_file.path.name) or ("",))[0] == "jsonl"


class UnitReader:
    """The documents of one unit; for a JSON Lines one, also what to record of it.

    ``earlier``: what a committed batch read of this file (the bytes and documents done, as the
    input manifest records them). When the file is that with lines added, only the new lines are
    read: :attr:`skipped` documents are left out.
    """

    def __init__(
        self, input_file: InputFile, options: InputOptions, earlier: InputRecord | None
    ) -> None:
        self.file = input_file
        self.options = options
        self.earlier = earlier
        #: Documents at the file's start that an earlier batch read (left out).
        self.skipped = 0
        #: Set once the whole file is read, when it is JSON Lines: the record to commit.
        self.read: InputRecord | None = None
        #: The file's size and mtime as read (as :func:`~newspipe.scaleout.worker.version_of`
        #: writes them), when it did not grow while it was read: recorded as ingested instead
        #: of what the walk saw, which a scraper appending meanwhile has made out of date.
        self.version: str | None = None

    def documents(self) -> Iterator[dict[str, Any]]:
        file = self.file
        form, compression = format_of(file.path.name) or ("", "")
        if form != "jsonl":
            yield from read_input(file, self.options)  # read as its format says; nothing kept
            return
        if compression:
            yield from self._compressed()
            return
        if written_as_json(file_head(file.path)):
            yield from read_input(file, self.options)  # read as JSON; nothing kept
            return
        done = self._lines_done()
        cut = line_pieces(file.path, PIECE_BYTES, done)
        if cut is None:  # UTF-16 or -32, or unreadable: the stream rejects it with the reason
            yield from read_input(file, self.options)
            return
        signature, pieces = cut
        self._note_skipped(done is not None)
        count = 0
        for piece in pieces:
            for document in read_piece(file, self.options, piece):
                count += 1
                yield document
        # The digest covers every byte the pieces cover: the file as it was read.
        read = Signature(pieces[-1].end, signature.mtime_ns, signature.digest)
        self.read = InputRecord(read, self.skipped + count, True)
        if pieces[-1].end == signature.size:  # no line added between its stat and its end
            self.version = f"{signature.size}:{signature.mtime_ns}"

    def _compressed(self) -> Iterator[dict[str, Any]]:
        """A compressed dump's documents, from its new streams on when lines were added; what
        it read is recorded when the stream read to its end without failing."""
        file = self.file
        try:
            status: os.stat_result | None = os.stat(file.path)  # as read, not as walked
        except OSError:
            status = None
        file.lines_done = self._lines_done() if status is not None else None
        pieces = compressed_line_pieces(file, self.options, PIECE_BYTES)
        if status is None or pieces is None:  # unreadable, UTF-16/32 or JSON: read as such
            file.lines_done = None
            yield from read_input(file, self.options)
            return
        self._note_skipped(file.lines_done is not None)
        count, end, whole = 0, None, True
        for piece in pieces:
            if isinstance(piece, dict):  # the stream failed half-way: its reject, not recorded
                whole = False
                yield piece
                continue
            end = piece.reached
            for document in read_piece(file, self.options, piece):
                count += 1
                yield document
        if whole and not count and not self.skipped:
            yield empty_reject(file, self.options)  # nothing in it: said, as a stream says it
            return
        if not whole or end is None:
            return
        # where the decompression ended: the file as read, with any stream added meanwhile
        planned = Signature(status.st_size, status.st_mtime_ns)
        read = signature_as_read(file.path, end, planned)
        if read is not None:
            self.read = InputRecord(read, self.skipped + count, True)
            if end == status.st_size:
                self.version = f"{status.st_size}:{status.st_mtime_ns}"

    def _note_skipped(self, reading_on: bool) -> None:
        if not reading_on:
            return
        assert self.earlier is not None
        self.skipped = self.earlier.docs_done
        logger.info(
            "%s: lines added since an earlier batch read it: reading on past its first %d "
            "documents",
            self.file.path,
            self.skipped,
        )

    def _lines_done(self) -> tuple[int, int] | None:
        """``(bytes, lines)`` already read by an earlier batch, when lines were only added since."""
        if self.earlier is None:
            return None
        try:
            status = self.file.stat()
        except OSError:
            return None  # the reader meets it again and says why
        current = Signature(status.st_size, status.st_mtime_ns)
        return lines_added(self.earlier, current, self.file.path, self.options.max_archive_bytes)
