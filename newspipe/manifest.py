"""The input manifest: which input files earlier runs ingested, so that a run reads only new work.

An input is *ingested* once every one of its documents sits in committed output (kept or
rejects). Its record (size, mtime, content hash, documents done) is written in the same state
transaction as the shard holding its last document. A later run skips an input whose size and
mtime are unchanged, or whose content hash is unchanged when those two disagree; it reads a changed
one again from the start. An input cut by a shard boundary is recorded as partly done, so a run
that follows a crash reads it again past the documents already committed.

A folder gets a record of its own, keyed by its real path with a trailing separator (no file's
key ends so): the listing of its plain files that were ingested as they are listed (name, size,
mtime), and a digest of it. A later run that finds the same listing skips the folder's files
without looking up each one, which is what a run over thousands of unchanged files mostly does; one
that finds a listing grown or changed skips the files it lists unchanged, and checks the others
one by one. The record is written at the end of a completed run, after the records of the files
it covers.
"""

from __future__ import annotations

import array
import base64
import codecs
import hashlib
import io
import json
import logging
import os
import stat
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar

from newspipe import defaults
from newspipe.surrogates import key_text

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector

    from newspipe.inputs.read import (
        FileStat,
        FolderListing,
        InputFile,
        InputOptions,
        Piece,
    )
    from newspipe.state import StateStore

logger = logging.getLogger(__name__)

#: The working key that ties a document to the input file it came from (never exported).
INPUT_KEY = "_input_file"


class ManifestInput(Protocol):
    """What the manifest needs of an input file (:class:`newspipe.inputs.read.InputFile`)."""

    @property
    def path(self) -> Path: ...

    @property
    def key(self) -> str: ...

    #: The file's bytes when they are at hand (the reader then need not open the file).
    contents: bytes | None
    #: ``(bytes, lines)`` of a JSON Lines file read before, when lines were only added since.
    lines_done: tuple[int, int] | None
    #: The file as its reader opened it, while it reads it from disk.
    opened: IO[bytes] | None

    def stat(self) -> FileStat: ...

    def position(self) -> int | None:
        """How far into the file its reader has got, when it reads it from disk."""
        ...


In = TypeVar("In", bound=ManifestInput)


@dataclass(frozen=True, slots=True)
class Signature:
    """What identifies one version of an input file."""

    size: int
    mtime_ns: int
    digest: str = ""

    def __reduce__(self) -> tuple[Any, ...]:
        return (Signature, (self.size, self.mtime_ns, self.digest))  # faster than slots' own


#: Files up to this size are read once, for their digest and their documents; larger ones are
#: hashed as a stream, then read as a stream.
_WHOLE_READ = 1 << 20
#: What :func:`read_file` reads in one go, for the digest and the documents: the spider sends a
#: worker whole only files of at most 16 MiB decoded, no larger on disk.
READ_WHOLE_UP_TO = 16 << 20
#: A small file that keeps growing while it is read is read this far at most (the reader then
#: meets its size limit).
_MAX_CHUNKS = 64


def file_digest(path: Path) -> str:
    """BLAKE2b of the file's bytes, streamed (a small file is hashed from the bytes the reader
    gets: :func:`signature_and_contents`)."""
    with open(path, "rb") as file:
        return hashlib.file_digest(file, lambda: hashlib.blake2b(digest_size=16)).hexdigest()


def input_key(path: Path | str) -> str:
    """The key of an input in the manifest: its real path (the folder resolved once per folder),
    as :func:`~newspipe.surrogates.key_text` writes it."""
    return key_text(os.path.join(_real_folder(os.path.dirname(path)), os.path.basename(path)))


@lru_cache(maxsize=4096)
def _real_folder(folder: str) -> str:
    return os.path.realpath(folder or ".")


def full_signature(path: Path) -> Signature:
    status = os.stat(path)
    return Signature(status.st_size, status.st_mtime_ns, file_digest(path))


#: Reads the documents of one input file (:func:`newspipe.inputs.read.read_input` and options).
Reader = Callable[[Any], Iterable[dict[str, Any]]]


@dataclass(slots=True)
class ReadFile:
    """One input file read: its signature and its documents past those already done."""

    signature: Signature
    documents: list[dict[str, Any]]
    resumed: int  # documents left out: committed by an earlier, interrupted run


def read_file(file: ManifestInput, skip: int, read: Reader) -> ReadFile:
    """Read ``file`` whole (a worker process does), leaving out the first ``skip`` documents."""
    signature, file.contents = signature_and_contents(file.path, READ_WHOLE_UP_TO)
    documents: list[dict[str, Any]] = []
    resumed = 0
    try:
        for index, document in enumerate(read(file)):
            if index < skip:
                resumed += 1
            else:
                documents.append(document)
    finally:
        file.contents = None
    return ReadFile(signature, documents, resumed)


def signature_and_contents(
    path: Path, whole_up_to: int = _WHOLE_READ
) -> tuple[Signature, bytes | None]:
    """The file's signature, and its bytes when it is no larger than ``whole_up_to``: read once,
    for the digest and for the reader. A file that cannot be read is ``(-1, -1)``: recorded so,
    and read again next time (the reader meets the error and rejects the file with a reason).
    What is not a regular file (a named pipe, a device: the reader rejects it) is not read."""
    try:
        # os-level calls: a buffered file object costs more to make than a small file to read.
        # O_NONBLOCK: opening a named pipe would wait for a writer (it changes nothing else).
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            status = os.fstat(descriptor)
            if not stat.S_ISREG(status.st_mode):
                return Signature(status.st_size, status.st_mtime_ns), None
            if status.st_size > whole_up_to:
                return full_signature(path), None
            data = os.read(descriptor, status.st_size + 1)
            if len(data) > status.st_size:  # it grew since the stat: read on, to the end
                chunks = [data]
                while chunks[-1] and len(chunks) < _MAX_CHUNKS:
                    chunks.append(os.read(descriptor, _WHOLE_READ))
                data = b"".join(chunks)
        finally:
            os.close(descriptor)
    except OSError:
        return Signature(-1, -1), None
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    return Signature(len(data), status.st_mtime_ns, digest), data


@dataclass(frozen=True, slots=True)
class InputRecord:
    """The stored record of an input: its signature and how many documents are committed."""

    signature: Signature
    docs_done: int
    complete: bool

    def to_json(self) -> str:
        sig = self.signature
        return json.dumps(
            {
                "size": sig.size,
                "mtime_ns": sig.mtime_ns,
                "hash": sig.digest,
                "docs_done": self.docs_done,
                "complete": self.complete,
            },
            separators=(",", ":"),
        )

    @staticmethod
    def is_complete_as(text: str, size: int, mtime_ns: int) -> bool:
        """Whether ``text`` is, as :meth:`to_json` writes it, the record of a complete input of
        this size and mtime. A cron run over a large folder asks it of every input: read off the
        text, it costs a fifth of parsing it. Any other text is parsed (:meth:`from_json`)."""
        return text.startswith(f'{{"size":{size},"mtime_ns":{mtime_ns},"hash":"') and (
            text.endswith(',"complete":true}')
        )

    @classmethod
    def from_json(cls, text: str) -> InputRecord | None:
        try:
            data = json.loads(text)
            sig = Signature(int(data["size"]), int(data["mtime_ns"]), str(data["hash"]))
            return cls(sig, int(data["docs_done"]), bool(data["complete"]))
        except (ValueError, KeyError, TypeError):
            return None  # an unreadable record: read the input again


def unchanged(record: InputRecord, current: Signature, path: Path) -> bool:
    """Whether ``path`` (stat ``current``) is the version ``record`` describes."""
    stored = record.signature
    if stored.size != current.size:
        return False
    if stored.mtime_ns == current.mtime_ns:
        return True
    # Same size, other mtime (touched, copied, restored from backup): the content decides.
    return bool(stored.digest) and file_digest(path) == stored.digest


def _size_of(file: ManifestInput) -> int:
    try:
        return file.stat().st_size
    except OSError:
        return 0


def lines_added(
    record: InputRecord,
    current: Signature,
    path: Path,
    max_bytes: int = defaults.NEWSPIPE_MAX_ARCHIVE_BYTES,
) -> tuple[int, int] | None:
    """``(bytes, lines)`` ingested when ``path`` (stat ``current``) is the JSON Lines file
    ``record`` describes with lines added at its end, as a scraper appends to its dump: larger,
    its first bytes those ingested (their digest), which ended at a line's end; else None. Its
    documents past those done are then all there is to read; read again whole, every earlier one
    would come out again as a duplicate.

    A compressed dump (``.jsonl.gz``, ``.bz2``, ``.xz``, ``.zst``) qualifies when the bytes
    ingested are whole compressed streams that hold whole lines (at most ``max_bytes`` of them
    once decompressed): the day's lines compressed on their own and added at the end (``gzip -c
    day.jsonl >> dump.jsonl.gz``, or Python's ``gzip.open(path, "at")``). ``bytes`` is then
    where the new streams begin in the compressed file.
    """
    from newspipe.inputs.read import format_of

    stored = record.signature
    if not stored.digest or not 0 < stored.size < current.size:
        return None
    form, compression = format_of(path.name) or ("", "")
    if form != "jsonl":
        return None  # a JSON array, a zip, a text: grown, they are other files
    if compression:
        return _compressed_lines_added(stored, path, compression, max_bytes)
    digest = hashlib.blake2b(digest_size=16)
    left, lines = stored.size, 0
    last = b""
    text = False
    try:
        with open(path, "rb") as file:
            while left and (block := file.read(min(left, 1 << 20))):
                text = text or _holds_text(block, at_start=left == stored.size)
                digest.update(block)
                left -= len(block)
                lines += block.count(b"\n")
                last = block[-1:]
    except OSError:
        return None  # the reader meets it again and says why
    if left or last != b"\n" or not text or digest.hexdigest() != stored.digest:
        return None
    return stored.size, lines


def _holds_text(block: bytes, at_start: bool) -> bool:
    """Whether a block of JSON Lines holds more than blank lines (and, at the file's start, a
    byte-order mark). The documents done of a file of blank lines only are one ``empty``
    reject, which no line gives: counted from the start, it would leave out a new line's
    document, so such a file is read whole again (it gave nothing else)."""
    if at_start:
        block = block.removeprefix(codecs.BOM_UTF8)
    return bool(block.strip())


def _compressed_lines_added(
    stored: Signature, path: Path, compression: str, max_bytes: int
) -> tuple[int, int] | None:
    """:func:`lines_added` for a compressed dump: its first ``stored.size`` bytes hashed and
    decompressed in one pass, on their own (a stream cut there is no place to read on from)."""
    from newspipe.inputs.decode import UTF8_BOM, bom_encoding
    from newspipe.inputs.read import DECOMPRESSORS, written_as_json

    lines = total = 0
    first = last = b""
    text = False
    try:
        with open(path, "rb") as file:
            ingested = _HashedPrefix(file, stored.size)
            with DECOMPRESSORS[compression](io.BufferedReader(ingested, 1 << 16)) as unpacked:
                while block := unpacked.read(1 << 20):
                    text = text or _holds_text(block, at_start=not first)
                    first = first or block[:4096]
                    total += len(block)
                    if total > max_bytes:
                        return None  # its reading stopped there: the rest was never read
                    lines += block.count(b"\n")
                    last = block[-1:]
    except Exception:  # broken or cut in the middle of a stream: read whole, the reader says why
        return None
    if ingested.left or ingested.digest.hexdigest() != stored.digest or last != b"\n" or not text:
        return None
    bom = bom_encoding(first[:4])
    if (bom is not None and bom[0] != UTF8_BOM) or written_as_json(first):
        return None  # UTF-16 or UTF-32 lines, or JSON read as such: not lines to read on from
    return stored.size, lines


def signature_as_read(path: Path, end: int, planned: Signature) -> Signature | None:
    """The signature of a dump whose reading (a compressed one's decompression) ended ``end``
    bytes into it, where ``planned`` (its signature before the reading) covers another length:
    what a scraper added meanwhile was read too. Recorded as planned, a later run would read that
    again as lines added, its documents duplicates of themselves. None when the file no longer
    holds those bytes."""
    digest = prefix_digest(path, end)
    if digest is None:
        return None
    try:
        status = os.stat(path)
    except OSError:
        return None
    # the mtime goes with the size it was seen with: a file that grew since is checked in full
    mtime = status.st_mtime_ns if status.st_size == end else planned.mtime_ns
    return Signature(end, mtime, digest)


def prefix_digest(path: Path, size: int) -> str | None:
    """The digest of the first ``size`` bytes of ``path`` (None when it has fewer)."""
    try:
        with open(path, "rb") as file:
            prefix = _HashedPrefix(file, size)
            while prefix.read(1 << 20):
                pass
    except OSError:
        return None
    return None if prefix.left else prefix.digest.hexdigest()


class _HashedPrefix(io.RawIOBase):
    """The first ``size`` bytes of ``file``, hashed as they are read."""

    def __init__(self, file: IO[bytes], size: int) -> None:
        self.file = file
        self.left = size
        self.digest = hashlib.blake2b(digest_size=16)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.file.read(min(len(buffer), self.left))
        self.left -= len(data)
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)


#: A folder's plain files as listed: name and ``stat``, sorted by name.
Listing: TypeAlias = "list[tuple[str, FileStat]]"


def listing_digest(files: Listing) -> str:
    """The digest of a folder's plain files as listed (name, size, mtime; sorted by name)."""
    return _digest(_listing_bytes(files))


def _digest(listed: bytes) -> str:
    return hashlib.blake2b(listed, digest_size=16).hexdigest()


def _listing_bytes(files: Listing) -> bytes:
    """Names joined by NUL (which no name holds), then sizes and mtimes as 64-bit integers: a
    third of the cost of writing the listing out as text."""
    names = "\0".join([name for name, _ in files]).encode("utf-8", "surrogateescape")
    numbers = array.array("q", [status.st_size for _, status in files])
    numbers.extend([status.st_mtime_ns for _, status in files])
    return struct.pack("<Q", len(names)) + names + numbers.tobytes()


def folder_record(files: Listing) -> str:
    """The stored record of a folder: ``files``, the plain files of it ingested as listed."""
    listed = _listing_bytes(files)
    packed = base64.b64encode(zlib.compress(listed, 1)).decode("ascii")
    return json.dumps(
        {"listing": _digest(listed), "files": len(files), "entries": packed},
        separators=(",", ":"),
    )


def folder_matches(text: str | None, digest: str) -> bool:
    """Whether ``text`` (a stored folder record, if any) is that of this very listing."""
    return text is not None and text.startswith(f'{{"listing":"{digest}",')


def folder_entries(text: str) -> dict[str, tuple[int, int]]:
    """name -> (size, mtime) of each file a stored folder record lists (none if unreadable)."""
    try:
        record = json.loads(text)
        count = int(record["files"])
        packed = zlib.decompress(base64.b64decode(record["entries"]))
        (length,) = struct.unpack_from("<Q", packed)
        names = packed[8 : 8 + length].decode("utf-8", "surrogateescape").split("\0")
        numbers = array.array("q")
        numbers.frombytes(packed[8 + length :])
    except (ValueError, KeyError, TypeError, zlib.error, struct.error):
        return {}  # its files are checked one by one
    if count == 0 or len(names) != count or len(numbers) != 2 * count:
        return {}
    return dict(zip(names, zip(numbers[:count], numbers[count:], strict=True), strict=True))


#: What replaces a folder's record once this run writes the record of one of its files: the
#: folder is checked file by file until a completed run records it again.
WITHDRAWN_FOLDER = folder_record([])


@dataclass(slots=True)
class _FolderWatch:
    """A folder whose files this run reads or skips one by one: at the end of a completed run,
    its record lists those of its files ingested as the walk listed them."""

    files: Listing  # as walked
    waiting: int = 0  # its files this run reads, not yet ingested
    changed: set[str] = field(default_factory=set)  # read in another version than walked

    def ingested(self) -> Listing:
        return [entry for entry in self.files if entry[0] not in self.changed]


def _split_key(key: str) -> tuple[str, str]:
    """The key of the folder of the input with manifest key ``key`` (its real folder path with
    a trailing separator: what a file's key starts with), and the file's name."""
    cut = key.rfind(os.sep) + 1
    return key[:cut], key[cut:]


@dataclass
class _Active:
    """An input being read in this run."""

    key: str
    signature: Signature
    skipped: int  # documents already committed by an earlier run, not yielded again
    yielded: int = 0
    #: Documents read from the file's start, skipped ones included (a file read in pieces).
    seen: int = 0
    processed: int = 0
    ended: bool = False
    counted: bool = False  # in InputManifest.done
    recorded: int = -1  # docs_done last written to the state


@dataclass
class InputManifest:
    """The input manifest of one run: plans what to read, tracks what is done, records it."""

    state: Callable[[], StateStore]
    stats: StatsCollector | None = None
    total: int = 0
    done: int = 0
    #: Set when the run fails: no further input is started.
    stopped: bool = False
    _active: dict[str, _Active] = field(default_factory=dict)
    _watches: dict[str, _FolderWatch] = field(default_factory=dict)  # by folder key
    #: Folders with a stored record that this run may contradict: withdrawn with the first
    #: record of one of their files (a run that stops before it records them again leaves no
    #: record that lists a file in a version other than its own record's).
    _recorded: set[str] = field(default_factory=set)
    #: Records of files touched but unchanged (same bytes, new mtime), with the new mtime.
    _refreshed: dict[str, str] = field(default_factory=dict)
    #: Bytes of the inputs planned and of those done (the progress line's measure: a run of
    #: one large dump is one input), and how far those read in pieces have got, by key.
    bytes_total: int = 0
    bytes_done: int = 0
    _sizes: dict[str, int] = field(default_factory=dict)
    _reached: dict[str, int] = field(default_factory=dict)
    #: NEWSPIPE_MAX_ARCHIVE_BYTES: how much of a compressed dump appended to may be decompressed
    #: to check that its new lines follow whole ones (see :func:`lines_added`).
    max_archive_bytes: int = defaults.NEWSPIPE_MAX_ARCHIVE_BYTES

    @property
    def bytes_read(self) -> int:
        return self.bytes_done + sum(self._reached.values())

    def plan_inputs(self, options: InputOptions) -> list[tuple[InputFile, int]]:
        """:meth:`plan` over every input under the seed roots, in reading order; a folder whose
        stored record matches its listing is skipped whole, without a lookup a file."""
        from newspipe.inputs.read import reading_order, root_input, walk_folders

        self.max_archive_bytes = options.max_archive_bytes
        todo: list[tuple[InputFile, int]] = []
        for root in options.roots:
            if not root.is_dir():
                file = root_input(root)
                folder = _split_key(file.key)[0]
                self._recorded.update(self.state().get_inputs([folder]))
                todo.extend(self.plan([file]))
                continue
            listings = list(walk_folders(root, options.follow_symlinks))
            to_plan = self._skip_folders(listings)
            to_plan.sort(key=reading_order)
            todo.extend(self.plan(to_plan))
        self.total = len(todo)
        self._sizes = {file.key: _size_of(file) for file, _ in todo}
        self.bytes_total = sum(self._sizes.values())
        if self._watches:
            for file, _ in todo:
                watch = self._watches.get(_split_key(file.key)[0])
                if watch is not None:
                    watch.waiting += 1
        return todo

    def _skip_folders(self, listings: list[FolderListing]) -> list[InputFile]:
        """The input files to check one by one; those their folder's record lists as they are
        are counted as skipped."""
        stored = self.state().get_inputs([listing.real for listing in listings])
        to_plan: list[InputFile] = []
        skipped = 0
        self._recorded.update(stored)  # another root may hold one of their files as well
        for listing in listings:
            text = stored.get(listing.real)
            if not listing.files or listing.others:  # links and rejects: file by file
                to_plan.extend(listing.input_files())
                continue
            if text is not None and folder_matches(text, listing_digest(listing.files)):
                skipped += len(listing.files)
                continue
            self._watches[listing.real] = _FolderWatch(listing.files)
            if text is None:
                to_plan.extend(listing.input_files())
                continue
            known = folder_entries(text)
            for name, status in listing.files:
                if known.get(name) == (status.st_size, status.st_mtime_ns):
                    skipped += 1
                else:  # new, changed, or not in the record: its own record decides
                    to_plan.append(listing.input_file(name, status))
        self._inc("newspipe/inputs/skipped", skipped)
        self._inc("newspipe/inputs/total", skipped)
        return to_plan

    def folder_records(self) -> dict[str, str]:
        """The records of the folders checked file by file, each listing its files ingested as
        walked (asked at the end of a completed run, once the files' own records are committed)."""
        records = {}
        for key, watch in self._watches.items():
            files = watch.ingested() if watch.waiting == 0 else []
            if files:
                records[key] = folder_record(files)
        return records

    def plan(self, files: list[In]) -> list[tuple[In, int]]:
        """The files to read, each with the number of leading documents to skip.

        Files ingested and unchanged are counted as skipped and left out.
        """
        keys = [file.key for file in files]
        texts = self.state().get_inputs(keys) if keys else {}
        todo: list[tuple[In, int]] = []
        skipped = 0
        for file, key in zip(files, keys, strict=True):
            text = texts.get(key)
            if text is None:
                todo.append((file, 0))
                continue
            try:
                status = file.stat()
            except OSError:
                todo.append((file, 0))  # let the reader meet the error and reject it with a reason
                continue
            if InputRecord.is_complete_as(text, status.st_size, status.st_mtime_ns):
                skipped += 1  # the common case, decided without parsing the record
                continue
            record = InputRecord.from_json(text)
            if record is None:
                todo.append((file, 0))
                continue
            current = Signature(status.st_size, status.st_mtime_ns)
            try:
                same = unchanged(record, current, file.path)
            except OSError:
                same = False
            added = (
                None
                if same or not record.complete
                else lines_added(record, current, file.path, self.max_archive_bytes)
            )
            if added is not None:
                file.lines_done = added
                logger.info(
                    "%s: lines added since it was ingested: reading on past its first %d documents",
                    file.path,
                    record.docs_done,
                )
                todo.append((file, record.docs_done))  # those before: left out, as on a resume
            elif not same:
                logger.info("%s: changed since it was ingested, reading it again", file.path)
                todo.append((file, 0))
            elif record.complete:
                skipped += 1
                if record.signature.mtime_ns != current.mtime_ns:
                    # Its record takes the new mtime: the next run need not hash it again, and
                    # agrees with its folder's record, which lists it as it is now.
                    refreshed = Signature(current.size, current.mtime_ns, record.signature.digest)
                    self._refreshed[key] = InputRecord(refreshed, record.docs_done, True).to_json()
            else:
                todo.append((file, record.docs_done))
        self._inc("newspipe/inputs/skipped", skipped)
        self._inc("newspipe/inputs/total", len(files))
        self.total = len(todo)
        return todo

    def documents(
        self, todo: Iterable[tuple[In, int]], read: Callable[[In], Iterable[dict[str, Any]]]
    ) -> Iterator[dict[str, Any]]:
        """The documents of the planned files (``read(file)`` gives those of one file), tagged."""
        for file, skip in todo:
            if self.stopped:
                return
            signature, file.contents = signature_and_contents(file.path)
            active = self._begin(file, skip, signature)
            try:
                for index, document in enumerate(read(file)):
                    if index < skip:
                        self._inc("newspipe/documents/resumed")
                        continue
                    document[INPUT_KEY] = active.key
                    active.yielded += 1
                    reached = file.position()  # a large file read here: the progress measure
                    if reached is not None:
                        self._reached[active.key] = reached
                    yield document
            finally:
                file.contents = file.opened = None
            self._read_to_its_end(file, active)
            self._end(active)

    def _read_to_its_end(self, file: In, active: _Active) -> None:
        """A JSON Lines dump read here from disk to past its planned size (a scraper added to it
        meanwhile) is recorded as read (:func:`signature_as_read`): else the next run would read
        what was added as lines added, and its documents would come out as duplicates."""
        from newspipe.inputs.read import format_of

        ended_at = getattr(file, "ended_at", None)
        planned = active.signature
        if ended_at is None or ended_at == planned.size or planned.size < 0:
            return
        if (format_of(file.path.name) or ("",))[0] != "jsonl":
            return
        read = signature_as_read(file.path, ended_at, planned)
        if read is not None:
            active.signature = read
            self._note_version(file, read)

    def accept(self, file: In, skip: int, read: ReadFile) -> list[dict[str, Any]]:
        """The documents of ``file`` read elsewhere (:func:`read_file`, in a worker process),
        tagged and counted as :meth:`documents` does; none once the run has stopped."""
        if self.stopped:
            return []
        active = self._begin(file, skip, read.signature)
        self._inc("newspipe/documents/resumed", read.resumed)
        for document in read.documents:
            document[INPUT_KEY] = active.key
        active.yielded = len(read.documents)
        self._end(active)
        return read.documents

    def accept_piece(
        self,
        file: In,
        skip: int,
        signature: Signature,
        documents: list[dict[str, Any]],
        *,
        first: bool,
        last: bool,
        before: int = 0,
        reached: int | None = None,
    ) -> list[dict[str, Any]]:
        """The documents of one piece of ``file`` read elsewhere, in order (pieces come one
        after another, the file's first ``skip`` documents left out as :meth:`documents` does;
        ``before`` of them are ahead of its first piece: a dump cut past the lines read before;
        ``reached``: where in the file the piece ends, when that is known, for the progress
        line); none once the run has stopped."""
        if self.stopped:
            return []
        if first:
            active = self._begin(file, skip, signature)
            active.seen = before
            self._inc("newspipe/documents/resumed", before)
        else:
            active = self._active[file.key]
        if last and signature != active.signature:  # read to its end past what was planned
            active.signature = signature
            self._note_version(file, signature)
        if reached is not None and not last:
            self._reached[file.key] = reached
        passed = min(len(documents), max(0, skip - active.seen))
        active.seen += len(documents)
        self._inc("newspipe/documents/resumed", passed)
        accepted = documents[passed:]
        for document in accepted:
            document[INPUT_KEY] = active.key
        active.yielded += len(accepted)
        if last:
            self._end(active)
        return accepted

    def _begin(self, file: In, skip: int, signature: Signature) -> _Active:
        self._note_version(file, signature)
        active = self._active[file.key] = _Active(file.key, signature, skip)
        return active

    def _note_version(self, file: In, signature: Signature) -> None:
        """A file read in another version than the walk listed: its folder's record leaves it
        out."""
        watch = self._watches.get(_split_key(file.key)[0]) if self._watches else None
        if watch is None:
            return
        try:
            listed = file.stat()  # the walk's (a file given as a seed root: a fresh one)
            walked = (listed.st_size, listed.st_mtime_ns)
        except OSError:
            walked = (-1, -1)
        if walked != (signature.size, signature.mtime_ns):
            watch.changed.add(file.path.name)  # as listed: not its key's escaped bytes

    def _end(self, active: _Active) -> None:
        active.ended = True
        self._inc("newspipe/inputs/read")
        self._settle(active)

    def processed(self, document: Any) -> None:
        """A document of this run is now in an output shard (kept or rejects)."""
        key = document.get(INPUT_KEY) if hasattr(document, "get") else None
        active = self._active.get(key) if key else None
        if active is not None:
            active.processed += 1
            self._settle(active)

    def _settle(self, active: _Active) -> None:
        if not active.counted and active.ended and active.processed >= active.yielded:
            active.counted = True
            self.done += 1
            self.bytes_done += self._sizes.get(active.key, 0)
            self._reached.pop(active.key, None)

    def records_to_commit(self) -> dict[str, str]:
        """The records matching the output about to be committed: whole inputs and partial ones,
        inputs touched but unchanged, and the folder records these contradict, withdrawn."""
        records, self._refreshed = self._refreshed, {}
        finished = []
        for key, active in self._active.items():
            docs_done = active.skipped + active.processed
            complete = active.ended and active.processed >= active.yielded
            if complete:
                finished.append(key)
                watch = self._watches.get(_split_key(key)[0]) if self._watches else None
                if watch is not None:
                    watch.waiting -= 1
            elif active.processed == 0 or docs_done == active.recorded:
                continue  # nothing new of it in this commit
            records[key] = InputRecord(active.signature, docs_done, complete).to_json()
            active.recorded = docs_done
        for key in finished:
            del self._active[key]
        if self._recorded:
            for folder in {_split_key(key)[0] for key in records} & self._recorded:
                records[folder] = WITHDRAWN_FOLDER
                self._recorded.discard(folder)
        return records

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None and count:
            self.stats.inc_value(key, count)


def list_inputs(options: InputOptions) -> list[InputFile]:
    """Every input file under the seed roots, in reading order."""
    from newspipe.inputs.read import iter_inputs

    return list(iter_inputs(options))


def read_with(options: InputOptions) -> InputReader:
    """The reader of one input file under ``options`` (picklable: worker processes read too)."""
    return InputReader(options)


@dataclass(frozen=True)
class InputReader:
    """Reads input files under ``options``, in a worker: a whole file, or one piece of a large
    JSON Lines file, JSON file or zip archive (cut by :mod:`newspipe.inputs.read`:
    ``line_pieces``, ``compressed_line_pieces``, ``json_pieces``, ``member_pieces``,
    ``zip_pieces``)."""

    options: InputOptions

    def __call__(self, file: InputFile) -> Iterator[dict[str, Any]]:
        from newspipe.inputs.read import read_input

        return read_input(file, self.options)

    def piece(self, file: InputFile, piece: Piece) -> Iterator[dict[str, Any]]:
        from newspipe.inputs.read import read_piece

        return read_piece(file, self.options, piece)

    def empty(self, file: InputFile) -> dict[str, Any]:
        """The reject of a file whose pieces held no document at all."""
        from newspipe.inputs.read import empty_reject

        return empty_reject(file, self.options)
