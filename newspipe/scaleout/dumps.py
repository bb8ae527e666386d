"""A JSON Lines dump appended to between batches: the next batch reads its new lines only.

With the SQLite state, the input manifest knows how much of a dump earlier runs read
(:func:`newspipe.manifest.lines_added`). With Redis state there is no input manifest, so a worker
keeps the same facts itself: with each plain JSON Lines unit it commits, it records in the
namespace's ``ingested_lines`` hash the manifest's record of it
(:class:`~newspipe.manifest.InputRecord`: the bytes it read, their digest, and the documents they
held). A later batch that finds the file larger, its first bytes those read and ending at a line's
end, reads on from there: the documents before are not read again, so they do not come out a second
time as duplicates of themselves. Any other change reads the file whole.

The record is written in the commit that marks the unit done, so a unit taken over after a crash
finds the record its first worker found, and reads the same documents.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from newspipe.inputs.read import (
    file_head,
    format_of,
    line_pieces,
    read_input,
    read_piece,
    written_as_json,
)
from newspipe.manifest import InputRecord, Signature, lines_added

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


def is_plain_lines(input_file: InputFile) -> bool:
    """Whether the unit is an uncompressed JSON Lines file (by its name): one that may grow."""
    return format_of(input_file.path.name) == ("jsonl", "")


class UnitReader:
    """The documents of one unit; for a plain JSON Lines one, also what to record of it.

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
        #: Set once the whole file is read, when it is plain JSON Lines: the record to commit.
        self.read: InputRecord | None = None
        #: The file's size and mtime as read (as :func:`~newspipe.scaleout.worker.version_of`
        #: writes them), when it did not grow while it was read: recorded as ingested instead
        #: of what the walk saw, which a scraper appending meanwhile has made out of date.
        self.version: str | None = None

    def documents(self) -> Iterator[dict[str, Any]]:
        file = self.file
        if not is_plain_lines(file) or written_as_json(file_head(file.path)):
            yield from read_input(file, self.options)  # read as its format says; nothing kept
            return
        done = self._lines_done()
        cut = line_pieces(file.path, PIECE_BYTES, done)
        if cut is None:  # UTF-16 or -32, or unreadable: the stream rejects it with the reason
            yield from read_input(file, self.options)
            return
        signature, pieces = cut
        if done is not None:
            assert self.earlier is not None
            self.skipped = self.earlier.docs_done
            logger.info(
                "%s: lines added since an earlier batch read it: reading on past its first %d "
                "documents",
                file.path,
                self.skipped,
            )
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

    def _lines_done(self) -> tuple[int, int] | None:
        """``(bytes, lines)`` already read by an earlier batch, when lines were only added since."""
        if self.earlier is None:
            return None
        try:
            status = self.file.stat()
        except OSError:
            return None  # the reader meets it again and says why
        current = Signature(status.st_size, status.st_mtime_ns)
        return lines_added(self.earlier, current, self.file.path)
