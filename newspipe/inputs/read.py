"""Walking the seed roots in a stable order and turning each input file into documents.

Formats, by file ending: ``.txt`` (one document), ``.json`` (an object, an array of objects, or
objects one after another), ``.jsonl``/``.ndjson`` (one object a line), each also compressed
(``.gz``, ``.bz2``, ``.xz``, ``.zst``), and ``.zip`` and ``.tar`` archives (a tar compressed too)
holding any of these. Paths, relative to the seed root:

- ``a.txt``, ``a.json`` (a file of one value), ``a.json#3`` (the 3rd element of an array, 1-based),
  ``a.jsonl#3`` (line 3, 1-based), ``a.jsonl.gz#3``,
- ``a.zip!dir/x.json#12``: element 12 of member ``dir/x.json`` of ``a.zip``; ``a.tgz!x.txt``.

Any other file is an ``unsupported`` reject (counted, never silently skipped); hidden files and
folders (``.name``) and the ``__MACOSX`` folders of zip files are not inputs. Every failure becomes
a document carrying ``INPUT_REJECT``: an input that breaks half-way keeps what was read before.
"""

from __future__ import annotations

import bz2
import codecs
import functools
import gzip
import hashlib
import io
import logging
import lzma
import os
import re
import stat
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import IO, Any, NamedTuple

from newspipe import defaults
from newspipe.document import FOLDER_SOURCE, INPUT, INPUT_REJECT, document_id, new_document
from newspipe.inputs.decode import UTF8_BOM, NotText, bom_encoding, decode_bytes, repair_mojibake
from newspipe.inputs.formats import (
    JSON_DECODER,
    FormatError,
    StreamDecoder,
    iter_json_values,
    iter_lines,
)
from newspipe.inputs.records import BadRecord, FieldNames, record_fields, url_domain
from newspipe.inputs.zstd import ZstdError, ZstdReader
from newspipe.manifest import Signature, full_signature, input_key
from newspipe.sources.mapping import SourceMap
from newspipe.surrogates import key_text, shown

logger = logging.getLogger(__name__)

#: File endings newspipe reads, and the format of each (compressed, any of them too).
FORMATS: dict[str, str] = {
    ".txt": "txt",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".tar": "tar",
}
#: The short endings of compressed tar archives, as the long ones.
_TAR_ENDINGS = {
    ".tgz": ".tar.gz",
    ".tbz": ".tar.bz2",
    ".tbz2": ".tar.bz2",
    ".txz": ".tar.xz",
    ".tzst": ".tar.zst",
}
#: The compressions newspipe reads (the standard library's, and zstd), by ending: each one's
#: reader.
DECOMPRESSORS: dict[str, Callable[[IO[bytes]], Any]] = {
    ".gz": lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"),
    ".bz2": bz2.BZ2File,
    ".xz": lzma.LZMAFile,
    ".zst": ZstdReader,
}
_FILE_TYPES = ".txt, .json, .jsonl, .ndjson, .tar, those as .gz, .bz2, .xz or .zst, .zip"


class FileStat(NamedTuple):
    """What a run keeps of an input file's ``stat``: its size and mtime, all it asks of it.

    The walk keeps one for every file it lists: a whole ``os.stat_result`` took some 700 bytes of
    the crawl process's memory a file (14 MB for 20,070 files), this about 100."""

    st_size: int
    st_mtime_ns: int

    @classmethod
    def of(cls, status: os.stat_result) -> FileStat:
        return cls(status.st_size, status.st_mtime_ns)


class InputFile:
    """One file found under a seed root; ``problem`` is a reject found while walking (a link).

    The walk of a large folder makes tens of thousands of these, and a cron run over unchanged
    inputs does little else, so the finder hands over what it already knows (the path as a string,
    the path relative to the root, the manifest key, the ``stat``) and the rest is made on demand.
    """

    def __init__(
        self,
        path: Path | str,
        root: Path,
        problem: tuple[str, str] | None = None,
        known_relative: str = "",
        *,
        key: str = "",
        status: FileStat | None = None,
    ) -> None:
        self.location = os.fspath(path)
        self._path = path if isinstance(path, Path) else None
        self.root = root
        self.problem = problem
        #: ``relative`` when the finder already knows it (it walks folder by folder).
        self.known_relative = known_relative
        self._key = key
        #: The file's ``stat`` as the walk saw it (None: not taken, or it failed).
        self.status = status
        #: The file's bytes, while a reader that already has them (to hash them) reads it.
        self.contents: bytes | None = None
        #: ``(bytes, lines)`` of a JSON Lines file an earlier run read whole, when lines were
        #: only added since (set by the manifest's plan): a large one is cut from there on.
        self.lines_done: tuple[int, int] | None = None
        #: The file as opened by the reader reading it from disk: how far the reading has got
        #: is the progress line's measure.
        self.opened: IO[bytes] | None = None
        #: Where in the file its reading from disk as one stream ended (set once it read to the
        #: end without failing): past the size planned when a scraper added to it meanwhile.
        self.ended_at: int | None = None

    def __repr__(self) -> str:
        return f"InputFile({self.location!r})"

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "opened": None}  # an open file stays in its process

    def position(self) -> int | None:
        """How far into the file its reader has got (None when it is not being read from disk)."""
        return None if self.opened is None else _position(self.opened)

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = Path(self.location)
        return self._path

    @property
    def key(self) -> str:
        """The file's key in the input manifest (:func:`newspipe.manifest.input_key`)."""
        if not self._key:
            self._key = input_key(self.location)
        return self._key

    def stat(self) -> FileStat:
        """The walk's ``stat`` of the file, else a fresh one (raises ``OSError``)."""
        return self.status if self.status is not None else FileStat.of(os.stat(self.location))

    @cached_property  # asked for every document of the file: stat and path arithmetic once
    def relative(self) -> str:
        """The path the contract writes: relative to the seed root (a file root: its name)."""
        if self.known_relative:
            return shown(self.known_relative)
        if self.root == self.path or not self.root.is_dir():
            return shown(self.path.name)
        return shown(self.path.relative_to(self.root).as_posix())

    def default_source(self, given: str | None) -> str:
        """The source of a document that names none: its folder under the seed root, else
        ``-a source=``, else the seed root's own name."""
        parts = Path(self.relative).parts
        if len(parts) > 1:
            return parts[0]
        if given:
            return given
        return _root_name(self.root)


@lru_cache(maxsize=64)
def _root_name(root: Path) -> str:
    """The seed root's own name (a file root: its folder's), resolved once per root."""
    folder = root if root.is_dir() else root.parent
    return shown(folder.resolve().name)


@dataclass(frozen=True)
class InputOptions:
    """What the spider was asked to read, and how."""

    roots: tuple[Path, ...]
    source: str | None = None
    max_doc_bytes: int = defaults.NEWSPIPE_MAX_DOC_BYTES
    max_archive_bytes: int = defaults.NEWSPIPE_MAX_ARCHIVE_BYTES
    follow_symlinks: bool = defaults.NEWSPIPE_FOLLOW_SYMLINKS
    fields: FieldNames = field(default_factory=FieldNames)
    source_map: SourceMap = field(default_factory=SourceMap)


def format_of(name: str) -> tuple[str, str] | None:
    """``(format, compression)`` of a file name (``zip`` and ``tar`` for archives; the
    compression's ending, ``.gz``, ``.bz2``, ``.xz`` or ``.zst``, or ``""``), None when
    unsupported."""
    lower, ending = os.path.splitext(name.lower())
    lower, compression = os.path.splitext(lower + _TAR_ENDINGS.get(ending, ending))
    if compression not in DECOMPRESSORS:
        lower, compression = name.lower(), ""
    if not compression and lower.endswith(".zip"):
        return "zip", ""
    kind = FORMATS.get(os.path.splitext(lower)[1])
    return (kind, compression) if kind else None


def _compressed(name: str) -> bool:
    return os.path.splitext(name.lower())[1] in DECOMPRESSORS


def decoded_size(file: InputFile) -> int | None:
    """How many bytes reading ``file`` decodes, when that is known without reading it: a zip's
    files uncompressed (as its central directory says), a plain file's size. None when it is
    not: a compressed file, or a zip holding one (a gzip trailer gives its size only modulo
    4 GiB, and only for its last member; bzip2 keeps none). 0 for a file that is a reject
    at once, or a zip that cannot be opened: the reader rejects it, with the reason."""
    if file.problem is not None:
        return 0
    location = file.location.lower()
    if _compressed(location):
        return None
    try:
        status = file.stat()  # the walk's, or a fresh one for a file given as the seed root
    except OSError:
        return 0
    if not location.endswith(".zip"):
        return status.st_size
    try:
        with zipfile.ZipFile(file.location) as archive:
            members = archive.infolist()
    except (*_BROKEN_ZIP, OSError):
        return 0
    if any(_compressed(info.filename) for info in members):
        return None
    return sum(info.file_size for info in members)


class _EndNoted(tarfile.TarInfo):
    """A tar header that notes on the archive why it ended, which ``TarFile.next`` keeps to
    itself: a block of zeros is the archive's end marker, but a damaged header, or the stream
    ending without the marker, ends it as quietly."""

    @classmethod
    def fromtarfile(cls, archive: tarfile.TarFile) -> _EndNoted:
        try:
            return super().fromtarfile(archive)
        except Exception as exc:
            archive.newspipe_end = exc  # type: ignore[attr-defined]
            raise


def _check_tar_end(archive: tarfile.TarFile) -> None:
    """Raise ``tarfile.ReadError`` unless ``archive`` (read with :class:`_EndNoted` headers)
    ended at its end marker: the members after a damaged header are not read."""
    end = getattr(archive, "newspipe_end", None)
    if isinstance(end, tarfile.EOFHeaderError):  # type: ignore[attr-defined]  # not in typeshed
        return
    if isinstance(end, tarfile.EmptyHeaderError):  # type: ignore[attr-defined]
        raise tarfile.ReadError(f"cut short at byte {archive.offset}: no end-of-archive marker")
    raise tarfile.ReadError(f"a damaged header at byte {archive.offset}: {end}")


#: What opening a damaged zip raises: its header can claim any version or size.
_BROKEN_ZIP = (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, struct.error)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


@dataclass(slots=True)
class FolderListing:
    """One folder under a seed root, as the walk found it.

    ``files`` are its plain files (not links), each with its ``stat``, sorted by name: all a run
    over unchanged inputs needs of them (:meth:`newspipe.manifest.InputManifest.plan_inputs`), so
    they become :class:`InputFile` only when asked. ``others`` are the inputs that need more:
    links, rejects found while walking, files whose ``stat`` failed.
    """

    root: Path
    path: str  # as walked, with a trailing separator
    real: str  # its real path with a trailing separator: what its files' manifest keys start with
    prefix: str  # its path relative to the root with a trailing "/" ("" for the root)
    files: list[tuple[str, FileStat]] = field(default_factory=list)
    others: list[InputFile] = field(default_factory=list)

    def input_files(self) -> list[InputFile]:
        return [self.input_file(name, status) for name, status in self.files] + self.others

    def input_file(self, name: str, status: FileStat) -> InputFile:
        """The input file of one of :attr:`files`."""
        relative, key = self.prefix + name, self.real + key_text(name)
        return InputFile(self.path + name, self.root, None, relative, key=key, status=status)


def find_inputs(root: Path, follow_symlinks: bool = False) -> Iterator[InputFile]:
    """The files under ``root`` (or ``root`` itself), sorted by path so runs are stable."""
    if not root.is_dir():
        yield root_input(root)
        return
    found = [
        input_file
        for listing in walk_folders(root, follow_symlinks)
        for input_file in listing.input_files()
    ]
    found.sort(key=reading_order)
    yield from found


def reading_order(input_file: InputFile) -> str:
    """The sort key of the files a walk found: their path under the seed root (known to it)."""
    return input_file.known_relative


def walk_folders(root: Path, follow_symlinks: bool = False) -> Iterator[FolderListing]:
    """The folders under the folder ``root``, ``root`` first, each listed once.

    A symbolic link whose target leaves the seed root is an ``unsafe`` input unless
    ``follow_symlinks``; a link to a folder inside the root is not walked twice. One ``scandir``
    a folder and one ``stat`` a file: what the input manifest needs to skip an unchanged file.
    """
    real_root = os.path.realpath(root)
    seen_folders = {real_root}
    pending = [(os.fspath(root), "")]  # (folder, its path relative to the root with a "/")
    while pending:
        folder, prefix = pending.pop()
        # with its trailing separator
        real_folder = key_text(os.path.join(os.path.realpath(folder), ""))
        listing = FolderListing(root, os.path.join(folder, ""), real_folder, prefix)
        try:
            with os.scandir(folder) as scan:
                entries = list(scan)
        except OSError as exc:  # a reject of its own, so that nothing goes missing unsaid
            unlisted = ("unreadable", f"a folder that cannot be listed ({exc.strerror or exc})")
            relative = prefix.rstrip("/") or _root_name(root)
            listing.others.append(InputFile(folder, root, unlisted, relative))
            yield listing
            continue
        files, others = listing.files, listing.others
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:  # the common case first, in as few calls as it takes
                if entry.is_file(follow_symlinks=False):
                    files.append((name, FileStat.of(entry.stat())))
                    continue
            except OSError:  # the reader meets the error and rejects the file with a reason
                pass
            if _is_folder(entry):
                if entry.is_symlink():
                    target = os.path.realpath(entry.path)
                    if target in seen_folders or (
                        not follow_symlinks and _inside(target, real_root)
                    ):
                        continue  # its files are read where they are, or already were
                    if not follow_symlinks:
                        link = _link_problem(entry.path, target)
                        others.append(InputFile(entry.path, root, link, prefix + name))
                        continue
                    seen_folders.add(target)
                pending.append((entry.path, prefix + name + "/"))
                continue
            others.append(_other_input(entry, listing, real_root, follow_symlinks))
        files.sort()  # names are unique: the stats are never compared
        yield listing


def _other_input(
    entry: os.DirEntry[str], listing: FolderListing, real_root: str, follow_symlinks: bool
) -> InputFile:
    """A link to a file, a file of another kind (a pipe, a device), or one whose ``stat``
    failed: an input of its own, a reject when the walk already knows it is one."""
    problem: tuple[str, str] | None = None
    if entry.is_symlink():
        target = os.path.realpath(entry.path)
        if not os.path.exists(target):
            problem = ("unreadable", f"a symbolic link to {target}, which does not exist")
        elif not follow_symlinks and not _inside(target, real_root):
            problem = _link_problem(entry.path, target)
    status = None
    if problem is None:
        try:
            full = entry.stat()
        except OSError:  # the reader meets the error and rejects the file with a reason
            status = None
        else:
            problem, status = not_a_file(full), FileStat.of(full)
    relative, key = listing.prefix + entry.name, listing.real + key_text(entry.name)
    return InputFile(entry.path, listing.root, problem, relative, key=key, status=status)


def root_input(root: Path) -> InputFile:
    """The input of a seed root that is not a folder."""
    try:
        status = os.stat(root)
    except OSError:  # the reader meets the error and rejects the file with a reason
        return InputFile(root, root)
    return InputFile(root, root, not_a_file(status), status=FileStat.of(status))


def not_a_file(status: os.stat_result) -> tuple[str, str] | None:
    """The reject of what is not a regular file (a named pipe, a socket, a device): reading a
    pipe waits for a writer, for ever in a cron job."""
    mode = status.st_mode
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        kind = "a named pipe"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    else:
        kind = "a special file"
    return ("unsupported", f"{kind}, not a regular file: not read")


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _link_problem(path: str, target: str) -> tuple[str, str]:
    return (
        "unsafe",
        f"a symbolic link to {target}, outside the seed root: not followed "
        "(set NEWSPIPE_FOLLOW_SYMLINKS=true to read it)",
    )


def iter_inputs(options: InputOptions) -> Iterator[InputFile]:
    """Every input file of every seed root, in order."""
    for root in options.roots:
        yield from find_inputs(root, options.follow_symlinks)


def iter_documents(options: InputOptions) -> Iterator[dict[str, Any]]:
    """Every document of every input, in order; bad inputs as rejects. (The crawl reads through
    :mod:`newspipe.manifest`, which skips the inputs earlier runs ingested.)"""
    for input_file in iter_inputs(options):
        yield from read_input(input_file, options)


def read_input(input_file: InputFile, options: InputOptions) -> Iterator[dict[str, Any]]:
    """The documents of one input file; never raises (a bug shows as an ``unreadable`` reject)."""
    reader = _FileReader(input_file, options)
    try:
        yield from reader.documents()
    except Exception as exc:  # the last net: one input must never stop a run
        yield reader.unexpected(exc)


@dataclass(frozen=True, slots=True)
class LinePiece:
    """Whole lines of a JSON Lines file: bytes ``start`` to ``end``, the first of them line
    number ``first_line``; ``utf8_bom``: the file starts with a UTF-8 byte-order mark. A piece
    of a gzip file carries its lines, decompressed (``data``); others are read from the file."""

    start: int
    end: int
    first_line: int
    utf8_bom: bool = False
    data: bytes | None = None
    #: The zip member the lines are of ("": the file itself).
    member: str = ""
    #: How far into the file (compressed) the reading had got when a piece carrying its lines
    #: was cut: the progress line's measure (a piece of the file's own lines ends at ``end``).
    reached: int | None = field(default=None, compare=False)

    @property
    def size(self) -> int:
        return self.end - self.start

    @property
    def file_position(self) -> int | None:
        """Where in the file this piece's reading ends, when that is known."""
        return self.end if self.data is None and not self.member else self.reached


@dataclass(frozen=True, slots=True)
class MemberPiece:
    """Members ``first`` to ``end`` (not included) of a zip archive, in its order (directories
    left out), ``size`` bytes uncompressed: read together by a worker."""

    first: int
    end: int
    size: int
    #: Where in the archive the run's members end (the next member's header): the progress
    #: line's measure (None for the archive's last run).
    reached: int | None = field(default=None, compare=False)

    @property
    def file_position(self) -> int | None:
        return self.reached


@dataclass(frozen=True, slots=True)
class ValuePiece:
    """Values of a large or compressed JSON file (elements of its array, or values one after
    another), found here and carried as their text: ``(number, raw, encoding)`` each, as the
    stream gives them, ``raw`` in UTF-8; ``size`` bytes in all. A worker parses them again and
    makes the documents."""

    values: tuple[tuple[int, bytes, str], ...]
    size: int
    #: The zip member the values are of ("": the file itself).
    member: str = ""
    #: How far into the file (compressed, or the zip archive) the reading had got when the
    #: piece was cut: the progress line's measure.
    reached: int | None = field(default=None, compare=False)

    @property
    def file_position(self) -> int | None:
        return self.reached


#: A part of a large input file that a worker reads on its own (see newspipe.spiders.seeds).
Piece = LinePiece | MemberPiece | ValuePiece


@dataclass(frozen=True, slots=True)
class MemberToCut:
    """Member ``index`` of a zip archive (directories left out), a JSON or JSON Lines file too
    large for a worker to hold all its documents, or compressed (their number is not known before
    they are read): read in the crawl process and sent out in pieces of lines or values."""

    index: int


#: The archive a process last read members of, kept open: a worker gets the runs of members of
#: one archive one after another, and reading a central directory of 100,000 members again for
#: each run would cost more than the run. Keyed by path, size and mtime: a new version reopens.
_open_archive: tuple[tuple[str, int, int], zipfile.ZipFile, list[zipfile.ZipInfo]] | None = None


def _files_of(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """An archive's members but directories, in its order: what a :class:`MemberPiece`
    counts, and what a stream of the archive reads."""
    members = [info for info in archive.infolist() if not info.is_dir()]
    for info in members:
        info.filename = _member_name(info)
    return members


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its writer meant it. The zip format reads names without the UTF-8
    mark as DOS text (cp437), but many tools write UTF-8 names without it: those are read as
    UTF-8 (``عدد.txt``, not ``╪╣╪»╪».txt``). Opening a member goes by its stored name."""
    name = info.filename
    if info.flag_bits & 0x800 or name.isascii():
        return name
    try:
        return name.encode("cp437").decode("utf-8")
    except UnicodeError:  # not UTF-8 bytes (or not read as cp437): left as the format reads it
        return name


def _archive_members(path: Path) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The archive at ``path``, open, and its members but directories, in its order."""
    global _open_archive
    status = path.stat()
    key = (str(path), status.st_size, status.st_mtime_ns)
    if _open_archive is not None and _open_archive[0] == key:
        return _open_archive[1], _open_archive[2]
    if _open_archive is not None:
        _open_archive[1].close()
        _open_archive = None
    archive = zipfile.ZipFile(path)
    members = _files_of(archive)
    _open_archive = (key, archive, members)
    return archive, members


def member_pieces(
    path: Path, piece_bytes: int, largest: int, options: InputOptions
) -> tuple[Signature, list[MemberPiece | MemberToCut]] | None:
    """A zip archive too large to read whole, as runs of its members of about ``piece_bytes``
    uncompressed, for the workers to read side by side, and the file's signature. A JSON or
    JSON Lines member over ``largest`` bytes, or compressed, is a :class:`MemberToCut` between the
    runs (see :meth:`_FileReader.zip_pieces`).

    None when it is read as a stream instead: when it cannot be opened, or would expand past
    ``NEWSPIPE_MAX_ARCHIVE_BYTES`` (the stream rejects it, saying why).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = _files_of(archive)
    except Exception:  # any failure: the stream meets it again and rejects the file, saying why
        return None
    if sum(info.file_size for info in members) > options.max_archive_bytes:
        return None
    try:  # only now: a file left to the stream would be hashed twice
        signature = full_signature(path)
    except OSError:
        return None
    plan: list[MemberPiece | MemberToCut] = []
    first = size = 0
    for index, info in enumerate(members):
        if _to_cut(info, largest):
            if first < index:
                plan.append(MemberPiece(first, index, size, _run_end(members, index)))
            plan.append(MemberToCut(index))
            first, size = index + 1, 0
            continue
        size += info.file_size
        if size >= piece_bytes:
            plan.append(MemberPiece(first, index + 1, size, _run_end(members, index + 1)))
            first, size = index + 1, 0
    if first < len(members) or not plan:
        plan.append(MemberPiece(first, len(members), size))
    return signature, plan


def _run_end(members: list[zipfile.ZipInfo], end: int) -> int | None:
    """Where in the archive a run of members ending before member ``end`` ends: where that
    member's header starts (None past the last member)."""
    return members[end].header_offset if end < len(members) else None


def _to_cut(info: zipfile.ZipInfo, largest: int) -> bool:
    """Whether a member is read in the crawl process and sent out in pieces: a JSON or JSON Lines
    file over ``largest`` bytes, or compressed. A text member is one document (a worker reads no
    more of it than the size limit); any other member is a reject, never read."""
    kind = format_of(info.filename.replace("\\", "/").rsplit("/", 1)[-1])
    return (
        kind is not None
        and kind[0] in {"json", "jsonl"}
        and (bool(kind[1]) or info.file_size > largest)
    )


def line_pieces(
    path: Path, piece_bytes: int, done: tuple[int, int] | None = None
) -> tuple[Signature, list[LinePiece]] | None:
    """A large JSON Lines file cut into pieces of about ``piece_bytes`` at line ends, so that
    the workers read it side by side, and the file's signature (hashed in the same pass).
    ``done``: ``(bytes, lines)`` at its start already read (lines added since): pieces from there.

    None when the file cannot be cut (a UTF-16 or UTF-32 byte-order mark: its lines are not
    ``\n`` bytes) or read: it is read as a stream, which rejects it with the reason.
    """
    digest = hashlib.blake2b(digest_size=16)
    pieces: list[LinePiece] = []
    start, lines_done = done or (0, 0)
    first_line, lines_before, offset = lines_done + 1, 0, 0
    utf8_bom = False
    try:
        with path.open("rb") as file:
            status = os.fstat(file.fileno())
            while block := file.read(_SCAN_BLOCK):
                if offset == 0:
                    bom = bom_encoding(block[:4])
                    if bom is not None and bom[0] != UTF8_BOM:
                        return None
                    utf8_bom = bom is not None
                digest.update(block)
                search = max(0, start + piece_bytes - offset)
                while search < len(block) and (cut := block.find(b"\n", search)) >= 0:
                    end = offset + cut + 1
                    pieces.append(LinePiece(start, end, first_line, utf8_bom))
                    first_line = lines_before + block.count(b"\n", 0, cut + 1) + 1
                    start = end
                    search = max(cut + 1, start + piece_bytes - offset)
                lines_before += block.count(b"\n")
                offset += len(block)
    except OSError:
        return None
    if offset > start or not pieces:
        pieces.append(LinePiece(start, offset, first_line, utf8_bom))
    return Signature(status.st_size, status.st_mtime_ns, digest.hexdigest()), pieces


_SCAN_BLOCK = 1 << 20


def compressed_line_pieces(
    input_file: InputFile, options: InputOptions, piece_bytes: int
) -> Iterator[Piece | dict[str, Any]] | None:
    """A compressed JSON Lines file, decompressed here and cut into pieces of about
    ``piece_bytes`` of whole lines, each carrying its lines, for the workers to read.

    A stream that fails half-way (broken data, past ``NEWSPIPE_MAX_ARCHIVE_BYTES``) ends with
    the lines read before the failure, then the reject the stream would make. None when the
    file cannot be cut (UTF-16/32) or opened: it is read as a stream, which says why.
    """
    return _FileReader(input_file, options).compressed_line_pieces(piece_bytes)


def json_pieces(
    input_file: InputFile, options: InputOptions, piece_bytes: int
) -> Iterator[Piece | dict[str, Any]]:
    """A JSON file (``.json``, or compressed: ``.json.gz``), its values found here (decoding and
    parsing are what finds where one ends) and cut into pieces of about ``piece_bytes`` (in
    UTF-8), each carrying its values' text, for the workers to make the documents of.

    Pieces, then rejects, in the stream's order: a value the stream rejects (malformed, too
    large, text after the array) or a stream that fails half-way comes after the piece of the
    values read before it, as the stream's own reject.
    """
    return _FileReader(input_file, options).json_pieces(piece_bytes)


def zip_pieces(
    input_file: InputFile,
    options: InputOptions,
    plan: list[MemberPiece | MemberToCut],
    piece_bytes: int,
) -> Iterator[Piece | dict[str, Any]]:
    """A zip archive planned by :func:`member_pieces`: its runs of members as they are, and
    each member to cut read here, in pieces of about ``piece_bytes`` of lines or values, with the
    rejects of its stream after them (one that fails half-way, an empty one, an unsafe one)."""
    return _FileReader(input_file, options).zip_pieces(plan, piece_bytes)


def read_piece(
    input_file: InputFile, options: InputOptions, piece: Piece
) -> Iterator[dict[str, Any]]:
    """The documents of one piece of a file, as :func:`read_input` gives them."""
    reader = _FileReader(input_file, options)
    try:
        if isinstance(piece, MemberPiece):
            yield from reader.members(piece)
        elif isinstance(piece, ValuePiece):
            yield from reader.values(piece)
        else:
            yield from reader.piece(piece)
    except Exception as exc:  # the last net, as in read_input
        yield reader.unexpected(exc)


def empty_reject(input_file: InputFile, options: InputOptions) -> dict[str, Any]:
    """The reject of a file read in pieces that, all of them, held no document."""
    reader = _FileReader(input_file, options)
    if reader.kind == ("zip", ""):
        return reader.empty_archive()
    return reader.empty(reader.input)


class ExpansionTooLarge(Exception):
    """A compressed stream expands past ``NEWSPIPE_MAX_ARCHIVE_BYTES``."""


class _Bounded(io.RawIOBase):
    """A readable stream that raises :class:`ExpansionTooLarge` past ``limit`` bytes."""

    def __init__(self, inner: Any, limit: int, closing: tuple[IO[bytes], ...] = ()) -> None:
        self.inner = inner
        self.limit = limit
        self.count = 0
        self.closing = closing
        self.failed: Exception | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            return self._readinto(buffer)
        except Exception as exc:
            self.failed = exc  # what a reader of a tar archive's members asks after each one
            raise

    def _readinto(self, buffer: Any) -> int:
        # read1: what is decompressed so far, so a stream cut short still gives its first lines
        try:
            data = self.inner.read1(len(buffer))
        except OSError as exc:
            if exc.errno is not None:  # the file's own read failed, not its data
                raise
            raise BrokenCompression(str(exc)) from None  # bzip2 says so with a bare OSError
        self.count += len(data)
        if self.count > self.limit:
            raise ExpansionTooLarge(f"expands past NEWSPIPE_MAX_ARCHIVE_BYTES ({self.limit} bytes)")
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            for stream in (self.inner, *self.closing):
                stream.close()
        super().close()


class BrokenCompression(Exception):
    """Compressed data that does not decompress."""


Opener = Callable[[], AbstractContextManager[Any]]

_BROKEN = (
    BrokenCompression,
    gzip.BadGzipFile,
    lzma.LZMAError,
    ZstdError,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
)
#: What stops a stream half-way: it ends with one reject saying why (_FileReader.failure).
STREAM_FAILURES = (
    ExpansionTooLarge,
    NotText,
    *_BROKEN,
    UnicodeError,
    NotImplementedError,
    OSError,
    RuntimeError,
)
_UNSAFE_MEMBER = re.compile(r"(^|/)\.\.(/|$)|^/|^[A-Za-z]:")


class _FileReader:
    """The documents of one input file."""

    def __init__(self, input_file: InputFile, options: InputOptions) -> None:
        self.file = input_file
        self.options = options
        self.input = input_file.relative
        self.limit = options.max_doc_bytes
        self.folder_source = input_file.default_source(options.source)
        #: ``(format, compression)`` by the file's name (None: a type newspipe does not read).
        self.kind = format_of(os.path.basename(input_file.location))
        self.next_number = 0  # the place of the next value in the stream being read

    # documents and rejects

    def named(self, path: str) -> str:
        """``path`` as a person finds it: with the seed root as given."""
        return str(self.file.path) + path[len(self.input) :]

    def source_for(self, label: str, own: str | None, domain: str | None) -> str:
        if own:
            return own
        mapped = (
            self.options.source_map.lookup((self.input, label), domain)
            if self.options.source_map
            else None
        )
        return mapped or self.folder_source

    def base(
        self,
        path: str,
        label: str,
        content: bytes,
        own_source: str | None = None,
        domain: str | None = None,
    ) -> dict[str, Any]:
        return new_document(
            id=document_id(path, content),
            path=path,
            source=self.source_for(label, own_source, domain),
            **{INPUT: self.input, FOLDER_SOURCE: self.folder_source},
        )

    def reject(
        self, path: str, reason: str, detail: str, content: bytes = b"", label: str | None = None
    ) -> dict[str, Any]:
        document = self.base(path, label or path, content)
        document[INPUT_REJECT] = (reason, shown(f"{self.named(path)}: {detail}"))
        return document

    def unexpected(self, exc: Exception) -> dict[str, Any]:
        """The reject of a reading that failed in a way nothing else foresaw (a bug)."""
        logger.exception("%s: unexpected error while reading", self.file.path)
        return self.reject(self.stop_path(self.input), "unreadable", f"unexpected error: {exc!r}")

    def stop_path(self, label: str) -> str:
        return f"{label}#{self.next_number}" if self.next_number else label

    def text_document(
        self, path: str, label: str, content: bytes, text: str, encoding: str
    ) -> dict[str, Any]:
        repaired = repair_mojibake(text)
        document = self.base(path, label, content)
        document.update(text=repaired.text, encoding=encoding, mojibake=repaired.status or None)
        return document

    def record_document(
        self, path: str, label: str, content: bytes, value: Any, encoding: str
    ) -> dict[str, Any]:
        if len(content) > self.limit:
            return self.reject(
                path, "too_large", self._too_large(len(content)), content[:4096], label
            )
        try:
            fields = record_fields(value, self.options.fields)
        except BadRecord as exc:
            return self.reject(path, exc.reason, exc.detail, content, label)
        text = repair_mojibake(fields.text)
        title = repair_mojibake(fields.title) if fields.title else None
        domain = url_domain(fields.url)
        document = self.base(path, label, content, fields.source, domain)
        document.update(
            text=text.text,
            title=title.text if title else None,
            url=fields.url,
            encoding=encoding,
            domain=domain,
            published=fields.published,
            author=fields.author,
            meta=fields.meta,
            mojibake=text.status or (title.status if title else "") or None,
        )
        return document

    def _too_large(self, size: int | None = None) -> str:
        what = f"{size} bytes" if size is not None else "more bytes than that"
        return f"{what}, over NEWSPIPE_MAX_DOC_BYTES ({self.limit})"

    # files, archives, streams

    def documents(self) -> Iterator[dict[str, Any]]:
        if self.file.problem is not None:
            reason, detail = self.file.problem
            yield self.reject(self.input, reason, detail)
            return
        kind = self.kind
        if kind is None:
            yield self.reject(
                self.input,
                "unsupported",
                f"not a file type newspipe reads ({_FILE_TYPES})",
            )
            return
        form, compression = kind
        if form in {"zip", "tar"} and self._no_bytes():
            # a download that failed, say: "empty", as an empty text is, not a broken archive
            yield self.reject(self.input, "empty", f"an empty file (0 bytes), not a {form} archive")
            return
        if form == "zip":
            contents = self.file.contents
            # The bytes already read (to hash them) when there are some, else the file.
            yield from self.archive(self.file.path if contents is None else io.BytesIO(contents))
            return
        raw = self.raw_opener()
        if form == "tar":
            yield from self.tar(raw, compression)
            return
        yield from self.stream(self.input, form, lambda: self._unpacked(raw(), compression))

    def _no_bytes(self) -> bool:
        if self.file.contents is not None:
            return not self.file.contents
        try:
            return self.file.stat().st_size == 0
        except OSError:
            return False  # the reader meets it and says why

    def raw_opener(self) -> Callable[[], IO[bytes]]:
        """Opens the file's bytes: those already read (to hash them) when there are some."""
        path, contents = self.file.path, self.file.contents

        def raw() -> IO[bytes]:
            if contents is None:
                self.file.opened = path.open("rb")
                return self.file.opened
            return io.BufferedReader(io.BytesIO(contents))  # buffered: the readers peek

        return raw

    def piece(self, piece: LinePiece) -> Iterator[dict[str, Any]]:
        """The documents of one piece of a large JSON Lines file (see :func:`line_pieces`)."""

        def opener() -> IO[bytes]:
            data = piece.data
            if data is None:
                with self.file.path.open("rb") as file:
                    file.seek(piece.start)
                    data = file.read(piece.end - piece.start)
            return io.BufferedReader(io.BytesIO(data))  # buffered: the reader peeks

        yield from self.stream(self.label_of(piece.member), "jsonl", opener, piece)

    def label_of(self, member: str) -> str:
        """The label of the file (``""``) or of one of its zip members, as paths begin."""
        return f"{self.input}!{member}" if member else self.input

    def compressed_line_pieces(self, piece_bytes: int) -> Iterator[Piece | dict[str, Any]] | None:
        """A compressed JSON Lines file as pieces of whole lines, decompressed here (see
        :func:`compressed_line_pieces`); None when it cannot be cut (UTF-16/32) or opened."""
        compression = self.kind[1] if self.kind else ""
        # A dump appended to since an earlier run: its new streams begin at ``start`` (see
        # newspipe.manifest.lines_added), their first line numbered after the lines before.
        start, lines_before = self.file.lines_done or (0, 0)
        try:
            raw = self.raw_opener()()
            raw.seek(start)
            handle = self._bounded(raw, compression)
        except Exception:
            return None  # the stream meets it again and rejects the file with the reason
        head = _utf8_head(handle)
        if head is None:
            return None
        if written_as_json(_peeked(handle)):
            handle.close()
            return None  # read as a stream, as JSON
        return self._line_pieces(
            handle, piece_bytes, head, position=self.file.position, first_line=lines_before + 1
        )

    def _line_pieces(
        self,
        handle: IO[bytes],
        piece_bytes: int,
        head: bytes,
        member: str = "",
        position: Callable[[], int | None] | None = None,
        first_line: int = 1,
    ) -> Generator[Piece | dict[str, Any], None, bool]:
        """The lines of a JSON Lines stream (of the file, or of one of its zip members) as
        pieces carrying them; True when an unexpected failure must stop the file there.
        ``position``: how far into the file its reading has got (the pieces' ``reached``);
        ``first_line``: the number of the stream's first line (past lines read before)."""
        # The lines as the stream reads them (iter_lines, the same limit), so that a failure
        # half-way comes after the same lines, with the same reject.
        label = self.label_of(member)
        lines: list[bytes] = [head]
        start, size = 0, len(head)
        gives = False  # a line of a member gives a document or a reject: else it is "empty"

        def cut(reached: int | None = None) -> LinePiece:
            data = b"".join(lines)
            if reached is None and position is not None:
                reached = position()
            return LinePiece(start, start + size, first_line, bool(head), data, member, reached)

        self.next_number = first_line if first_line > 1 else 0  # past lines read before
        try:
            with handle:
                for line in iter_lines(handle.readline, self.limit, b"\n", first_line):
                    self.next_number = line.number + 1
                    if member and not gives:
                        gives = _line_gives(line.text)
                    # a line over the limit goes as one the worker finds over it too
                    data = b"\0" * (self.limit + 1) + b"\n" if line.text is None else line.text
                    lines.append(data)
                    size += len(data)
                    if size >= piece_bytes:
                        yield cut()
                        start, first_line, size, lines = start + size, line.number + 1, 0, []
                # the stream's end, read before the file closes: where the last piece ends in it
                ended_at = position() if position is not None else None
        except Exception as exc:
            return (yield from self._failed(label, exc, cut()))
        if size or not start:  # the rest; a file with no line at all is one empty piece
            yield cut(ended_at)
        if member and not gives:  # a whole file with none: said by whoever reads its pieces
            yield self.empty(label)
        return False

    def json_pieces(self, piece_bytes: int) -> Iterator[Piece | dict[str, Any]]:
        """A JSON file's values as pieces (see :func:`json_pieces`)."""
        raw = self.raw_opener()
        compression = self.kind[1] if self.kind else ""
        yield from self._value_pieces(
            lambda: self._unpacked(raw(), compression), piece_bytes, position=self.file.position
        )

    def _value_pieces(
        self,
        opener: Opener,
        piece_bytes: int,
        member: str = "",
        position: Callable[[], int | None] | None = None,
    ) -> Generator[Piece | dict[str, Any], None, bool]:
        """The values of a JSON stream (of the file, or of one of its zip members) as pieces
        carrying their text, read as :meth:`json` reads them, so that rejects and where a
        failure stops are the stream's; True when an unexpected failure must stop the file.
        ``position``: how far into the file its reading has got (the pieces' ``reached``)."""
        label = self.label_of(member)
        values: list[tuple[int, bytes, str]] = []
        size = 0
        cut = gives = False

        def piece() -> ValuePiece:
            nonlocal values, size, cut
            reached = position() if position is not None else None
            done = ValuePiece(tuple(values), size, member, reached)
            values, size, cut = [], 0, True
            return done

        self.next_number = 0
        try:
            with opener() as handle:
                decoder = StreamDecoder(getattr(handle, "read1", handle.read))
                for item in iter_json_values(decoder.chunks(), self.limit):
                    self.next_number = item.number + 1
                    gives = True  # every value gives a document or a reject
                    if isinstance(item, FormatError):
                        yield piece()  # the values before it (maybe none)
                        path = value_path(label, item.number)
                        yield self.reject(path, item.reason, item.detail, label=label)
                        continue
                    content = item.raw.encode("utf-8", "surrogatepass")  # as json() has it
                    values.append((item.number, content, decoder.encoding))
                    size += len(content)
                    if size >= piece_bytes:
                        yield piece()
        except Exception as exc:
            return (yield from self._failed(label, exc, piece()))
        if values or not cut:  # the rest; a file with no value at all is one empty piece
            yield piece()
        if member and not gives:
            yield self.empty(label)
        return False

    def zip_pieces(
        self, plan: list[MemberPiece | MemberToCut], piece_bytes: int
    ) -> Iterator[Piece | dict[str, Any]]:
        """A zip archive's runs of members, and the pieces of the members read here (see
        :func:`member_pieces`), in the archive's order."""
        archive: zipfile.ZipFile | None = None
        try:
            for step in plan:
                if isinstance(step, MemberPiece):
                    yield step
                    continue
                if archive is None:
                    try:
                        archive = zipfile.ZipFile(self.file.path)
                        members = _files_of(archive)
                    except (*_BROKEN_ZIP, OSError) as exc:
                        yield self.archive_reject(exc)  # changed since planned: as a stream says
                        return
                if (yield from self._member_pieces(archive, members, step.index, piece_bytes)):
                    return  # as read_input stops the file at an unexpected failure
        finally:
            if archive is not None:
                archive.close()

    def _member_pieces(
        self,
        archive: zipfile.ZipFile,
        members: list[zipfile.ZipInfo],
        index: int,
        piece_bytes: int,
    ) -> Generator[Piece | dict[str, Any], None, bool]:
        """One member to cut, as :meth:`member` would read it; True when an unexpected failure
        must stop the file there."""
        info = members[index]
        self.next_number = 0
        label, kind = self._member_kind(info)
        if not isinstance(kind, tuple):  # a reject, or a hidden member (not an input)
            if kind is not None:
                yield kind
            return False
        form, compression = kind
        opener = self._member_opener(archive, info, compression)
        # where the archive's reading has got (its members share one file): the progress measure
        position = functools.partial(_position, archive.fp) if archive.fp else None
        if form == "json":
            return (yield from self._value_pieces(opener, piece_bytes, info.filename, position))
        try:
            handle = opener()
        except Exception as exc:
            return (yield from self._failed(label, exc))
        head = _utf8_head(handle)
        if head is None:  # UTF-16/32 lines: read by a worker, as a stream, whole
            yield MemberPiece(index, index + 1, info.file_size, _run_end(members, index + 1))
            return False
        if written_as_json(_peeked(handle)):
            handle.close()
            note_read_as_json(self.named(label))
            return (yield from self._value_pieces(opener, piece_bytes, info.filename, position))
        return (yield from self._line_pieces(handle, piece_bytes, head, info.filename, position))

    def values(self, piece: ValuePiece) -> Iterator[dict[str, Any]]:
        """The documents of a piece of a JSON file (see :meth:`json_pieces`), as :meth:`json`
        makes them."""
        label = self.label_of(piece.member)
        for number, content, encoding in piece.values:
            path = value_path(label, number)
            value = JSON_DECODER.raw_decode(content.decode("utf-8", "surrogatepass"))[0]
            yield self.record_document(path, label, content, value, encoding)

    def _failed(
        self, label: str, exc: Exception, *read: Piece
    ) -> Generator[Piece | dict[str, Any], None, bool]:
        """The end of a stream cut into pieces here that fails: the piece read before the
        failure (maybe empty), then its reject, a failure as the stream says it, anything else
        as :func:`read_input` does; True when that must stop the file there, as it stops it."""
        yield from read
        if isinstance(exc, STREAM_FAILURES):
            yield self.failure(label, exc)
            return False
        yield self.unexpected(exc)
        return True

    def empty(self, label: str) -> dict[str, Any]:
        """The reject of a stream (a file read in pieces: all of them) with no document."""
        return self.reject(
            label, "empty", "holds no documents (an empty array or only blank lines)"
        )

    def _unpacked(self, raw: IO[bytes], compression: str) -> IO[bytes]:
        """``raw`` decompressed (``compression``: ``.gz``, ``.bz2``, ``.xz`` or ``.zst``; see
        :meth:`_bounded`), or as it is (``""``)."""
        return self._bounded(raw, compression) if compression else raw

    def _bounded(self, raw: IO[bytes], compression: str) -> io.BufferedReader:
        """``raw`` decompressed (``""``: as it is), read no further than
        ``NEWSPIPE_MAX_ARCHIVE_BYTES``; its :class:`_Bounded` is the reader's ``raw``."""
        try:
            unpacked = DECOMPRESSORS[compression](raw) if compression else raw
        except Exception:
            raw.close()
            raise
        bounded = _Bounded(unpacked, self.options.max_archive_bytes, closing=(raw,))
        return io.BufferedReader(bounded, buffer_size=1 << 16)

    def archive_reject(self, exc: Exception) -> dict[str, Any]:
        """The reject of an archive that cannot be opened."""
        if isinstance(exc, OSError):
            return self.reject(self.input, "unreadable", f"cannot be read ({exc.strerror or exc})")
        return self.reject(self.input, "malformed", f"not a readable zip archive ({exc})")

    def members(self, piece: MemberPiece) -> Iterator[dict[str, Any]]:
        """The documents of a run of members of a zip archive (see :func:`member_pieces`)."""
        try:
            archive, members = _archive_members(self.file.path)
        except (*_BROKEN_ZIP, OSError) as exc:
            yield self.archive_reject(exc)  # it changed since it was planned: as a stream says
            return
        for info in members[piece.first : piece.end]:
            yield from self.member(archive, info)

    def empty_archive(self, kind: str = "zip") -> dict[str, Any]:
        return self.reject(self.input, "empty", f"a {kind} archive holding no files newspipe reads")

    def archive(self, source: Path | IO[bytes]) -> Iterator[dict[str, Any]]:
        try:
            archive = zipfile.ZipFile(source)
        except (*_BROKEN_ZIP, OSError) as exc:
            yield self.archive_reject(exc)
            return
        with archive:
            members = _files_of(archive)
            total = sum(info.file_size for info in members)
            if total > self.options.max_archive_bytes:
                yield self.reject(
                    self.input,
                    "too_large",
                    f"would expand to {total} bytes, over NEWSPIPE_MAX_ARCHIVE_BYTES "
                    f"({self.options.max_archive_bytes}); not read",
                )
                return
            given = 0
            for info in members:
                for document in self.member(archive, info):
                    given += 1
                    yield document
            if not given:
                yield self.empty_archive()

    def member(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[dict[str, Any]]:
        label, kind = self._member_kind(info)
        if not isinstance(kind, tuple):  # a reject, or a hidden member (not an input)
            if kind is not None:
                yield kind
            return
        form, compression = kind
        self.next_number = 0
        yield from self.stream(label, form, self._member_opener(archive, info, compression))

    def _member_kind(
        self, info: zipfile.ZipInfo
    ) -> tuple[str, tuple[str, str] | dict[str, Any] | None]:
        """A member's label, and its format, or the reject it is, or None for a hidden member."""
        label = f"{self.input}!{info.filename}"
        encrypted = info.flag_bits & 0x1
        refused = ("unreadable", "encrypted archive member: not read") if encrypted else None
        return label, self._member_format(label, info.filename.replace("\\", "/"), refused)

    def _member_format(
        self, label: str, posix: str, refused: tuple[str, str] | None
    ) -> tuple[str, str] | dict[str, Any] | None:
        """The format of an archive member (its path with ``/``), or the reject it is (a path
        leaving the archive, a file type not read, an archive inside an archive, else
        ``refused``, the archive's own reason not to read it), or None when it is hidden."""
        if _UNSAFE_MEMBER.search(posix):
            return self.reject(
                label, "unsafe", "archive member path leaves the archive (.. or absolute): not read"
            )
        if posix.startswith("__MACOSX/") or posix.rsplit("/", 1)[-1].startswith("."):
            logger.debug("%s: hidden archive member, not an input", self.named(label))
            return None
        kind = format_of(posix.rsplit("/", 1)[-1])
        if kind is None or kind[0] in {"zip", "tar"}:
            what = "an archive inside an archive" if kind else "not a file type newspipe reads"
            return self.reject(label, "unsupported", f"{what}: not read")
        if refused is not None:
            return self.reject(label, *refused)
        return kind

    def tar(self, raw: Callable[[], IO[bytes]], compression: str) -> Iterator[dict[str, Any]]:
        """The documents of the members of a tar archive, read as one stream in its order.

        A failure of the archive's stream (cut short, broken compressed data, past
        ``NEWSPIPE_MAX_ARCHIVE_BYTES``) ends it with one reject where it stopped, the documents
        before it read."""
        try:
            stream = self._bounded(raw(), compression)
        except OSError as exc:
            yield self.reject(self.input, "unreadable", f"cannot be read ({exc.strerror or exc})")
            return
        bounded = stream.raw
        assert isinstance(bounded, _Bounded)
        given = 0
        label = ""  # the member being read; the archive between two, "" before its first header
        with stream:
            try:
                with tarfile.open(fileobj=stream, mode="r|", tarinfo=_EndNoted) as archive:
                    label = self.input
                    while (info := archive.next()) is not None:
                        # a stream's are never looked back at: a million would hold 500 MB
                        archive.members.clear()  # type: ignore[attr-defined]
                        label = f"{self.input}!{info.name}"
                        for document in self.tar_member(archive, info):
                            given += 1
                            yield document
                        if bounded.failed is not None:  # the member's stream said why: stop
                            return
                        label, self.next_number = self.input, 0
                    _check_tar_end(archive)
                while stream.read(1 << 16):  # to its end: a compressed stream checks itself
                    pass
            except (tarfile.TarError, *STREAM_FAILURES) as exc:
                given += 1
                if label or bounded.failed is not None:
                    yield self.failure(label or self.input, bounded.failed or exc)
                else:
                    yield self.reject(
                        self.input, "malformed", f"not a readable tar archive ({exc})"
                    )
        if not given:
            yield self.empty_archive("tar")

    def tar_member(
        self, archive: tarfile.TarFile, info: tarfile.TarInfo
    ) -> Iterator[dict[str, Any]]:
        self.next_number = 0
        if info.isdir():
            return
        label = f"{self.input}!{info.name}"
        refused = (
            None
            if info.isfile()
            else ("unsupported", "a link or special file inside a tar archive: not read")
        )
        kind = self._member_format(label, info.name, refused)
        if not isinstance(kind, tuple):  # a reject, or a hidden member (not an input)
            if kind is not None:
                yield kind
            return
        form, compression = kind

        def open_member() -> IO[bytes]:
            member = archive.extractfile(info)
            assert member is not None  # a regular file's
            return self._unpacked(member, compression)

        yield from self.stream(label, form, open_member)

    def _member_opener(
        self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, compression: str
    ) -> Callable[[], IO[bytes]]:
        def open_member() -> IO[bytes]:
            return self._unpacked(archive.open(info), compression)

        return open_member

    def stream(
        self, label: str, form: str, opener: Opener, piece: LinePiece | None = None
    ) -> Iterator[dict[str, Any]]:
        """The documents of one stream of a format (or of one ``piece`` of a JSON Lines file);
        a failure half-way stops it with one reject."""
        self.next_number = 0
        given = 0
        whole_file = piece is None and label == self.input
        if whole_file:
            self.file.ended_at = None
        try:
            with opener() as handle:
                if form == "jsonl" and piece is None and written_as_json(_peeked(handle)):
                    note_read_as_json(self.named(label))
                    form = "json"
                if form == "txt":
                    documents = self.txt(label, handle)
                elif form == "jsonl":
                    documents = self.jsonl(label, handle, piece)
                else:
                    documents = self.json(label, handle)
                for document in documents:
                    given += 1
                    yield document
                if whole_file:  # before the file closes
                    self.file.ended_at = self.file.position()
            if not given and piece is None:  # a piece of a file: said for the file as a whole
                # an empty array, or only blank lines: say so rather than leave no trace
                yield self.empty(label)
        except STREAM_FAILURES as exc:
            yield self.failure(label, exc)

    def failure(self, label: str, exc: BaseException) -> dict[str, Any]:
        """The reject of a stream that failed half-way (one of :data:`STREAM_FAILURES`, or a
        tar archive's error)."""
        where = self.stop_path(label)
        if isinstance(exc, ExpansionTooLarge):
            return self.reject(where, "too_large", f"{exc}; reading stopped", label=label)
        if isinstance(exc, NotText):
            return self.reject(where, exc.reason, exc.detail, label=label)
        if isinstance(exc, _BROKEN):
            return self.reject(
                where, "malformed", f"broken compressed data ({exc}); reading stopped", label=label
            )
        if isinstance(exc, tarfile.TarError):
            return self.reject(
                where, "malformed", f"broken tar archive ({exc}); reading stopped", label=label
            )
        if isinstance(exc, UnicodeError):
            return self.reject(where, "undecodable", f"{exc}; reading stopped", label=label)
        if isinstance(exc, NotImplementedError):
            return self.reject(where, "unsupported", f"{exc}; not read", label=label)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return self.reject(where, "unreadable", f"cannot be read ({reason})", label=label)

    def txt(self, label: str, handle: IO[bytes]) -> Iterator[dict[str, Any]]:
        data = handle.read(self.limit + 1)
        if len(data) > self.limit:
            yield self.reject(label, "too_large", self._too_large(), data[:4096])
            return
        try:
            decoded = decode_bytes(data)
        except NotText as exc:
            yield self.reject(label, exc.reason, exc.detail, data)
            return
        yield self.text_document(label, label, data, decoded.text, decoded.encoding)

    def jsonl(
        self, label: str, handle: Any, piece: LinePiece | None = None
    ) -> Iterator[dict[str, Any]]:
        if piece is not None and piece.start > 0:
            # past the file's start: its byte-order mark, if any, is known (never UTF-16/32)
            yield from self.jsonl_lines(
                label, handle, UTF8_BOM if piece.utf8_bom else None, piece.first_line
            )
            return
        bom = bom_encoding(handle.peek(4)[:4])
        if bom is not None and bom[0] != UTF8_BOM:
            wide = "utf-16" if bom[0].startswith("utf-16") else "utf-32"
            wrapper = io.TextIOWrapper(handle, encoding=wide, newline="\n")
            for line in iter_lines(wrapper.readline, self.limit, "\n"):
                self.next_number = line.number + 1
                data = line.text.encode("utf-8", "surrogatepass") if line.text is not None else None
                yield from self.json_line(label, line.number, data, line.text, wide)
            return
        encoding_override = None
        if bom is not None:
            handle.read(3)
            encoding_override = UTF8_BOM
        first = piece.first_line if piece is not None else 1  # past lines read before, if any
        yield from self.jsonl_lines(label, handle, encoding_override, first)

    def jsonl_lines(
        self, label: str, handle: IO[bytes], encoding_override: str | None, first: int = 1
    ) -> Iterator[dict[str, Any]]:
        """The documents of the lines of a UTF-8 (or legacy) JSON Lines stream, the first one
        numbered ``first``."""
        for raw in iter_lines(handle.readline, self.limit, b"\n", first):
            self.next_number = raw.number + 1
            if raw.text is None:
                yield from self.json_line(label, raw.number, None, None, "")
                continue
            try:
                decoded = decode_bytes(raw.text) if raw.text.strip() else None
            except NotText as exc:
                yield self.reject(
                    f"{label}#{raw.number}",
                    exc.reason,
                    f"line {raw.number}: {exc.detail}",
                    raw.text,
                    label,
                )
                continue
            text = decoded.text if decoded else None
            encoding = encoding_override or (decoded.encoding if decoded else "")
            yield from self.json_line(label, raw.number, raw.text, text, encoding)

    def json_line(
        self, label: str, number: int, data: bytes | None, text: str | None, encoding: str
    ) -> Iterator[dict[str, Any]]:
        path = f"{label}#{number}"
        if data is None:
            yield self.reject(path, "too_large", f"line {number}: {self._too_large()}", label=label)
            return
        if text is None or not text.strip():
            return  # a blank line is not a document
        try:
            value = _json_line(text)
        except ValueError as exc:
            yield self.reject(path, "malformed", f"line {number} is not JSON ({exc})", data, label)
            return
        yield self.record_document(path, label, data, value, encoding)

    def json(self, label: str, handle: IO[bytes]) -> Iterator[dict[str, Any]]:
        # read1: a member broken half-way still gives what was decompressed before the break
        decoder = StreamDecoder(getattr(handle, "read1", handle.read))
        for item in iter_json_values(decoder.chunks(), self.limit):
            path = value_path(label, item.number)
            self.next_number = item.number + 1
            if isinstance(item, FormatError):
                yield self.reject(path, item.reason, item.detail, label=label)
                continue
            content = item.raw.encode("utf-8", "surrogatepass")
            yield self.record_document(path, label, content, item.value, decoder.encoding)


def _position(file: IO[bytes]) -> int | None:
    """Where ``file``'s reading has got (None once it is closed)."""
    try:
        return file.tell()
    except (OSError, ValueError):
        return None


def _utf8_head(handle: Any) -> bytes | None:
    """The UTF-8 byte-order mark a JSON Lines stream starts with (``b""`` when none), read from
    it; None, the stream closed, when its lines are not cut at ``\\n`` bytes (UTF-16/32) or it
    fails (the stream, read elsewhere, meets the failure again and says it)."""
    try:
        bom = bom_encoding(handle.peek(4)[:4])
        if bom is None or bom[0] == UTF8_BOM:
            return handle.read(3) if bom is not None else b""
    except Exception:
        pass
    handle.close()
    return None


def _line_gives(line: bytes | None) -> bool:
    """Whether a JSON Lines line gives a document or a reject, as
    :meth:`_FileReader.jsonl_lines` reads it: a blank line gives nothing."""
    if line is None:
        return True  # over the size limit: a reject
    if not line.strip():
        return False
    try:
        return bool(decode_bytes(line).text.strip())
    except NotText:
        return True


#: How much of a ``.jsonl`` file :func:`written_as_json` looks at.
SNIFF_BYTES = 4096


def file_head(path: Path) -> bytes:
    """The first bytes of a file, as :func:`written_as_json` looks at them (none if unreadable:
    reading it says why)."""
    try:
        with path.open("rb") as file:
            return file.read(SNIFF_BYTES)
    except OSError:
        return b""


def written_as_json(head: bytes) -> bool:
    """Whether the first bytes of a ``.jsonl`` file show JSON not written one value a line: an
    array of objects (on one line, as pandas' ``to_json(orient="records")`` writes it without
    ``lines=True``, or over several) or an object over several lines (``json.dump(indent=2)``).
    Read as JSON Lines, each of its lines would be a malformed reject and no document read. (A
    line that is an array of other values, ``[1, "a"]``, is JSON Lines gone wrong: each such
    line is its own reject, the lines after it still read.)"""
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    first = head.lstrip().split(b"\n", 1)[0].strip()
    return first in {b"[", b"{"} or (first.startswith(b"[") and first[1:].lstrip()[:1] == b"{")


def _peeked(handle: Any) -> bytes:
    """What :func:`written_as_json` looks at of a buffered stream, left in it to be read."""
    return bytes(handle.peek(SNIFF_BYTES)[:SNIFF_BYTES])


def note_read_as_json(where: str) -> None:
    logger.warning(
        "%s: an array or JSON over several lines, not JSON Lines: read as JSON (its #N count "
        "values, not lines)",
        where,
    )


def value_path(label: str, number: int) -> str:
    """The path of value ``number`` of a JSON stream: ``label`` alone for a file's one value."""
    return f"{label}#{number}" if number else label


def _json_line(text: str) -> Any:
    try:
        return JSON_DECODER.decode(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None
