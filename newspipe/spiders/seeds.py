"""The ``seeds`` spider: every document under the seed roots, as items, from ``start()``."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.settings import BaseSettings

from newspipe.ahead import (
    AheadRunner,
    DocumentBatch,
    FileBatch,
    PieceBatch,
    Task,
    batches,
    collect_garbage_less_often,
    weight_of,
    worker_count,
)
from newspipe.config import get_list, setting
from newspipe.inputs import InputFile, InputOptions
from newspipe.inputs.config import input_options
from newspipe.inputs.read import (
    LinePiece,
    Piece,
    compressed_line_pieces,
    decoded_size,
    file_head,
    format_of,
    json_pieces,
    line_pieces,
    member_pieces,
    note_read_as_json,
    written_as_json,
    zip_pieces,
)
from newspipe.manifest import (
    READ_WHOLE_UP_TO,
    InputReader,
    ReadFile,
    Signature,
    read_with,
    signature_and_contents,
    signature_as_read,
)
from newspipe.run import run_for
from newspipe.scaleout.worker import add_gate, start_worker


class SeedsSpider(Spider):
    """Reads seed files (``NEWSPIPE_SEEDS`` or ``-a path=A,B``) and yields one item per document."""

    name = "seeds"

    def __init__(
        self, *args: Any, path: str | None = None, source: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.path_argument = path
        self.source_argument = source or None

    # The spider reads local files and makes no requests: none of Scrapy's download and response
    # machinery is needed, and leaving it out saves a fifth of a second on every start (what a
    # cron run over unchanged inputs mostly is). Other spiders of the project keep it all.
    custom_settings = {  # noqa: RUF012 (Scrapy reads it per class)
        "DOWNLOADER_MIDDLEWARES_BASE": {},
        "DOWNLOAD_HANDLERS_BASE": {},
        "SPIDER_MIDDLEWARES_BASE": {"scrapy.spidermiddlewares.start.StartSpiderMiddleware": 25},
        "EXTENSIONS_BASE": {
            "scrapy.extensions.corestats.CoreStats": 0,
            "scrapy.extensions.memusage.MemoryUsage": 0,
            "scrapy.extensions.closespider.CloseSpider": 0,
            "scrapy.extensions.feedexport.FeedExporter": 0,
        },
    }

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        add_gate(settings)  # Redis state only: the ordering gate of newspipe.scaleout

    def input_options(self) -> InputOptions:
        if self.path_argument:
            paths = [part.strip() for part in self.path_argument.split(",") if part.strip()]
        else:
            paths = get_list(self.settings, "NEWSPIPE_SEEDS")
        return input_options(self.settings, [Path(p) for p in paths], source=self.source_argument)

    async def start(self) -> AsyncIterator[Any]:
        run = run_for(self.crawler)
        if run.status != "running":
            return  # the run failed before reading (state store, lock): read nothing
        options = self.input_options()
        missing = [
            str(root) for root in options.roots if not root.exists() and not root.is_symlink()
        ]
        if missing or not options.roots:
            what = ", ".join(missing) if missing else "(none given)"
            run.fail(f"input root not found: {what}")
            return
        collect_garbage_less_often()
        workers = worker_count(setting(self.settings, "NEWSPIPE_WORKERS"))
        worker = start_worker(self.crawler, run)
        if worker is not None:
            # Redis state: units come from the queue shared with other workers (newspipe.scaleout),
            # read here; the pure stages run ahead on the other cores, in the order read.
            units = worker.documents(options)
            ahead = AheadRunner.for_crawler(self.crawler, workers)
            stream = (
                units
                if ahead is None
                else ahead.run_stream(units, worker.expect, worker.worth_processes)
            )
            async for document in stream:
                yield document
            return
        reader = read_with(options)
        runner = AheadRunner.for_crawler(self.crawler, workers, reader=reader)
        if runner is None:
            for document in self._documents(options):
                yield document
            return
        # The pure stages run ahead on all cores; documents still come out in input order.
        async for document in runner.run_tasks(self._tasks(options, reader, runner.batch_size)):
            yield document

    def _tasks(self, options: InputOptions, reader: InputReader, batch_size: int) -> Iterator[Task]:
        """The work for the worker processes, in input order: files for them to read (small
        ones several to a batch, larger ones up to :data:`WHOLE_INPUT` one to a batch), larger
        zips and larger or compressed JSON Lines and JSON files in pieces of :data:`PIECE_BYTES`,
        and the documents of other larger files, and of other compressed files, read here as a
        stream.

        Sizes are what the reader decodes (:func:`decoded_size`), taken when the task is made:
        a file that grows after that is still read as planned."""
        stats = self.crawler.stats
        assert stats is not None
        inputs = run_for(self.crawler).inputs

        def accept(file: InputFile, skip: int, read: ReadFile) -> list[dict[str, Any]]:
            documents = inputs.accept(file, skip, read)
            stats.inc_value("newspipe/documents/read", len(documents))
            return documents

        small: list[tuple[InputFile, int]] = []
        small_bytes = 0
        for file, skip in inputs.plan_inputs(options):
            if inputs.stopped:
                return
            size = decoded_size(file)
            if size is not None and size <= SMALL_INPUT:
                small.append((file, skip))
                small_bytes += size
                if len(small) >= batch_size or small_bytes >= SMALL_INPUT:
                    yield FileBatch(small, accept, reader)
                    small, small_bytes = [], 0
                continue
            if small:
                yield FileBatch(small, accept, reader)
                small, small_bytes = [], 0
            if size is not None and size <= WHOLE_INPUT:
                yield FileBatch([(file, skip)], accept, reader, weight=weight_of(size), large=True)
                continue
            pieces = self._cut(file, skip, size, reader)
            if pieces is not None:
                yield from self._pieces(file, skip, *pieces, reader)
                continue
            for documents in batches(
                self._counted(inputs.documents([(file, skip)], reader)), batch_size
            ):
                yield DocumentBatch(documents)
        if small:
            yield FileBatch(small, accept, reader)

    @staticmethod
    def _cut(
        file: InputFile, skip: int, size: int | None, reader: InputReader
    ) -> tuple[Signature, Iterable[Piece | dict[str, Any]], int] | None:
        """A JSON Lines or JSON file or zip archive too large to send whole, in pieces for the
        workers, with its signature and how many of its documents are ahead of the first piece;
        None when it is read here as a stream. A compressed dump is decompressed here, and a
        JSON file's values are found here (parsing is what finds where one ends), as are a
        zip's large or compressed JSON and JSON Lines members: those pieces carry their data.
        A dump with lines added since an earlier run read it is cut from its new lines on: its
        ``skip`` documents done are not read again."""
        form, compression = format_of(file.path.name) or ("", "")
        if (form, compression) == ("jsonl", "") and size is not None:
            if not written_as_json(file_head(file.path)):
                cut = line_pieces(file.path, PIECE_BYTES, file.lines_done)
                return None if cut is None else (*cut, skip if file.lines_done else 0)
            note_read_as_json(str(file.path))
            form = "json"  # its values cut as a JSON file's
        if form == "zip" and size is not None:
            planned = member_pieces(file.path, PIECE_BYTES, WHOLE_INPUT, reader.options)
            if planned is None:
                return None
            return planned[0], zip_pieces(file, reader.options, planned[1], PIECE_BYTES), 0
        if (form, compression) == ("jsonl", "") or form not in {"jsonl", "json"}:
            return None
        signature, file.contents = signature_and_contents(file.path)
        try:
            pieces: Iterable[Piece | dict[str, Any]] | None = (
                compressed_line_pieces(file, reader.options, PIECE_BYTES)
                if form == "jsonl"
                else json_pieces(file, reader.options, PIECE_BYTES)
            )
        finally:
            file.contents = None  # held by the pieces' reader if needed, not sent with each
        if pieces is None:
            return None
        # decompressed from its new streams on when lines were added (file.lines_done)
        return signature, pieces, skip if form == "jsonl" and file.lines_done else 0

    def _pieces(
        self,
        file: InputFile,
        skip: int,
        signature: Signature,
        pieces: Iterable[Piece | dict[str, Any]],
        before: int,
        reader: InputReader,
    ) -> Iterator[PieceBatch]:
        """The pieces of a file, for the workers to read side by side; a reject among them (a
        value the stream rejects, a stream broken half-way) comes after the piece before it.
        ``before``: the documents ahead of the first piece (done by an earlier run)."""
        stats = self.crawler.stats
        assert stats is not None
        inputs = run_for(self.crawler).inputs
        given = 0

        def accept(
            documents: list[dict[str, Any]],
            first: bool,
            last: bool,
            tail: list[dict[str, Any]],
            reached: int | None,
            read_as: Signature,
        ) -> list[dict[str, Any]]:
            nonlocal given
            documents += tail
            given += len(documents)
            if last and not given and not before:  # no document at all: said, as a stream does
                documents = [reader.empty(file)]
            accepted = inputs.accept_piece(
                file,
                skip,
                read_as,
                documents,
                first=first,
                last=last,
                before=before,
                reached=reached,
            )
            stats.inc_value("newspipe/documents/read", len(accepted))
            return accepted

        upcoming = iter(pieces)
        piece: Piece | dict[str, Any] | None = next(upcoming, None)
        first = True
        while piece is not None and not isinstance(piece, dict):
            if inputs.stopped:
                return
            following = next(upcoming, None)
            tail: list[dict[str, Any]] = []
            while isinstance(following, dict):
                tail.append(following)
                following = next(upcoming, None)
            last = following is None
            # where in the file a piece's reading ends, when known: the progress line's measure
            settle = functools.partial(
                accept,
                first=first,
                last=last,
                tail=tail,
                reached=piece.file_position,
                # a stream that failed half-way (tail: its reject) stays as planned
                read_as=self._read_as(file, piece, signature) if last and not tail else signature,
            )
            yield PieceBatch(file, piece, settle, reader, weight=weight_of(piece.size))
            piece, first = following, False

    @staticmethod
    def _read_as(file: InputFile, piece: Piece, planned: Signature) -> Signature:
        """The signature of a file read in pieces, as its last piece leaves it: that of a
        compressed dump whose decompression ended past its planned size (a stream added while it
        was read) covers what was read; any other file's, as planned."""
        if not isinstance(piece, LinePiece) or piece.data is None or piece.member:
            return planned  # a plain dump's pieces, cut in the pass that hashed it; a zip's
        if piece.reached is None or piece.reached == planned.size:
            return planned
        return signature_as_read(file.path, piece.reached, planned) or planned

    def _documents(self, options: InputOptions) -> Iterator[dict[str, Any]]:
        inputs = run_for(self.crawler).inputs
        todo = inputs.plan_inputs(options)
        return self._counted(inputs.documents(todo, read_with(options)))

    def _counted(self, documents: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        stats = self.crawler.stats
        assert stats is not None
        for document in documents:
            stats.inc_value("newspipe/documents/read")
            yield document


#: Files up to this size are read by the worker processes, whole, and a batch of them holds about
#: this much at most (sizes here are what the reader decodes: :func:`decoded_size`).
SMALL_INPUT = 1 << 20
#: Larger files up to this size (a day's archive, a dump) are read whole by a worker too, one to
#: a batch: its documents come back together (a worker holds them all, about 50 MB more for a
#: zip of 12 MB of articles). Larger JSON Lines and JSON files, compressed ones (decompressed
#: here) and larger zips go to the workers in pieces (below); other larger ones, and other
#: compressed files (their size is not known before they are read), are read here, as a stream,
#: so that no process holds a whole large dump, nor a small file that expands to one.
WHOLE_INPUT = READ_WHOLE_UP_TO  # read in one go, for the manifest's digest and the reader
#: A larger JSON Lines file goes to the workers in pieces of about this much, cut at line ends,
#: a larger JSON file in runs of values of about this much, and a larger zip in runs of members of
#: about this much uncompressed (a JSON or JSON Lines member over WHOLE_INPUT in pieces of its own,
#: as such a file): they read it side by side, and none holds more than a piece of it at once.
PIECE_BYTES = SMALL_INPUT
