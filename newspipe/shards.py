"""Output shards committed together with the state, so that a crash at any moment is safe.

Kept and rejected records go to hidden temp files. At a shard boundary (``NEWSPIPE_SHARD_DOCS``
records of either kind, or the end of the run) :func:`commit_shards`:

1. fsyncs and closes the temp files;
2. commits one state transaction holding the documents of the shard (dedup index), the input
   records they complete, and a *pending* list: temp path -> final name of each file;
3. renames the temp files to their final names and fsyncs the folder;
4. clears the pending list (committed with the next shard).

A crash before 2 leaves temp files the state knows nothing of: the next run deletes them and reads
their inputs again. A crash after 2 leaves a pending list that :func:`recover` (run under the lock,
before anything is read) completes: temp file present, rename it; final file present, done.
No partial file ever has a final name, and a document is in the state exactly when it is in a
final file.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from newspipe.atomic import fsync_dir, temp_path_for
from newspipe.state.base import NothingCommitted

if TYPE_CHECKING:
    from newspipe.state import StateStore

logger = logging.getLogger(__name__)

#: The meta key of the pending list (a JSON list of PendingFile records).
PENDING_META = "pending_shards"
KINDS = ("kept", "rejects")
#: ``seeds-RUN_ID[-NNNNN][.rejects].jsonl[.gz]``
SHARD_NAME = re.compile(
    r"^seeds-(?P<run>.+?)(?:-(?P<shard>\d{5}))?(?P<rejects>\.rejects)?\.jsonl(?:\.gz)?$"
)


def shard_name(run_id: str, kind: str, number: int | None, *, gzipped: bool) -> str:
    """``seeds-RUN_ID.jsonl``, then ``seeds-RUN_ID-00002.jsonl``... (rejects: ``.rejects.jsonl``).

    The first shard keeps the contract's name, so a run that fits in one shard writes exactly the
    files the contract names, and readers of ``seeds-RUN_ID.jsonl`` keep working.
    """
    shard = f"-{number:05d}" if number is not None and number > 1 else ""
    middle = ".rejects" if kind == "rejects" else ""
    return f"seeds-{run_id}{shard}{middle}.jsonl" + (".gz" if gzipped else "")


@dataclass(frozen=True)
class PendingFile:
    """A complete temp file waiting for its final name."""

    temp: Path
    final: Path
    kind: str
    lines: int

    def as_json(self) -> dict[str, Any]:
        return {
            "temp": str(self.temp),
            "final": str(self.final),
            "kind": self.kind,
            "lines": self.lines,
        }


#: Bytes a shard file gathers before writing them out.
WRITE_BUFFER = 1 << 18


class ShardFile:
    """One temp file being written (optionally gzipped)."""

    def __init__(self, final: Path, kind: str, *, gzipped: bool) -> None:
        self.final = final
        self.kind = kind
        self.temp = temp_path_for(final)
        final.parent.mkdir(parents=True, exist_ok=True)
        # 256 KiB, not 8 KiB: a record is a few KiB, so the default buffer costs a write call
        # every record or two (half the CPU of writing, measured); seal() flushes it anyway.
        self._raw: IO[bytes] = self.temp.open("wb", buffering=WRITE_BUFFER)
        self._out: IO[bytes] = (
            gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0)
            if gzipped
            else self._raw  # type: ignore[assignment]
        )
        self.lines = 0
        # Imported here, in the crawl process only: the workers import this module, not orjson.
        from newspipe.output_lines import record_line

        self._line = record_line

    def write(self, record: dict[str, Any]) -> None:
        self._out.write(self._line(record))
        self.lines += 1

    def seal(self) -> PendingFile:
        """Flush, fsync and close the temp file; it is complete but not yet under its name."""
        if self._out is not self._raw:
            self._out.close()  # writes the gzip trailer, leaves the raw file open
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()
        return PendingFile(self.temp, self.final, self.kind, self.lines)

    def discard(self) -> None:
        with suppress(OSError):  # a full disk fails the flush of what is thrown away anyway
            self._raw.close()
        self.temp.unlink(missing_ok=True)


class ShardSet:
    """The kept and rejects shards of one run, cut every ``shard_docs`` records of either kind."""

    def __init__(self, output_dir: Path, run_id: str, *, shard_docs: int, gzipped: bool) -> None:
        self.output_dir = output_dir
        self.run_id = run_id
        self.shard_docs = shard_docs
        self.gzipped = gzipped
        self.number = 1
        self._open: dict[str, ShardFile] = {}

    def write(self, kind: str, record: dict[str, Any]) -> bool:
        """Write ``record``; True when the shard is full and must be committed now."""
        shard = self._shard(kind)
        shard.write(record)
        return bool(self.shard_docs) and shard.lines >= self.shard_docs

    def _shard(self, kind: str) -> ShardFile:
        shard = self._open.get(kind)
        if shard is None:
            number = self.number if self.shard_docs else None
            name = shard_name(self.run_id, kind, number, gzipped=self.gzipped)
            shard = self._open[kind] = ShardFile(self.output_dir / name, kind, gzipped=self.gzipped)
        return shard

    def ensure_files(self) -> None:
        """Open the first kept and rejects files if the run wrote none, so every completed run
        has both, empty when it kept or rejected nothing (readers need not guess)."""
        if self.number == 1:
            for kind in KINDS:
                self._shard(kind)

    @property
    def empty(self) -> bool:
        return not self._open

    def seal(self) -> list[PendingFile]:
        """Seal the open shards (kept first) and start the next number."""
        pending = [self._open.pop(kind).seal() for kind in KINDS if kind in self._open]
        self.number += 1
        return pending

    def discard(self) -> None:
        """Drop the open shards (the run failed before they could be committed)."""
        for kind in list(self._open):
            self._open.pop(kind).discard()


def commit_shards(
    state: StateStore,
    pending: list[PendingFile],
    inputs: dict[str, str],
    *,
    key: str = PENDING_META,
) -> None:
    """Commit the state with ``pending`` files and ``inputs`` records, then rename the files.

    ``key``: the meta key of the pending list (one per run when runs share the state at once).
    """
    state.set_meta(key, json.dumps([item.as_json() for item in pending]))
    for input_key, record in inputs.items():
        state.set_input(input_key, record)
    try:
        state.commit()
    except NothingCommitted:
        # Refused as a whole (a scale-out worker that lost its leases): no state refers to the
        # sealed files, whose documents are read again; any other failure leaves them to
        # recover(), which knows from the state whether they were committed.
        for item in pending:
            item.temp.unlink(missing_ok=True)
        raise
    _rename(pending)
    state.set_meta(key, "[]")  # goes out with the next commit; recover() copes meanwhile


def _rename(pending: list[PendingFile]) -> int:
    """Give each pending file its final name; the number of files renamed."""
    folders = set()
    renamed = 0
    for item in pending:
        try:
            os.replace(item.temp, item.final)
            renamed += 1
        except FileNotFoundError:
            # Renamed already (by its run, or an earlier recovery), else someone removed both:
            # the state says these documents are kept, the output lost them.
            if not item.final.exists():
                logger.error("%s: committed file lost (and no %s)", item.final, item.temp)
        folders.add(item.final.parent)
    for folder in folders:
        fsync_dir(folder)
    return renamed


def recover(
    state: StateStore,
    output_dir: Path,
    *,
    pending_keys: list[str] | None = None,
    is_alive: Callable[[str], bool] | None = None,
) -> list[PendingFile]:
    """Finish the renames of a run that died after committing, delete uncommitted temp files.

    Runs sharing the output dir at once (scale-out workers) give ``pending_keys`` (the pending
    lists of other runs, one key each) and ``is_alive(run_id)``: files of live runs are theirs.
    """
    pending: list[PendingFile] = []
    for key in pending_keys if pending_keys is not None else [PENDING_META]:
        text = state.get_meta(key)
        listed = [
            PendingFile(
                Path(item["temp"]), Path(item["final"]), str(item["kind"]), int(item["lines"])
            )
            for item in (json.loads(text) if text else [])
        ]
        if is_alive is not None:
            listed = [
                item
                for item in listed
                if item.final.parent.resolve() == output_dir.resolve()
                and not is_alive(shard_run(item.final.name) or "")
            ]
        if listed:
            pending.extend(listed)
            renamed = _rename(listed)
            if renamed:
                logger.warning("renamed %d committed file(s) of an interrupted run", renamed)
            state.set_meta(key, "[]")
            state.commit()
    # Under the lock, any other temp file is an uncommitted shard of a dead run: its documents
    # are not in the state, and their inputs will be read again.
    for temp in output_dir.glob(".seeds-*.tmp"):
        if is_alive is not None and is_alive(shard_run(temp_final_name(temp.name)) or ""):
            continue
        logger.info("%s: removing the uncommitted shard of an interrupted run", temp)
        temp.unlink(missing_ok=True)
    for temp in [*output_dir.glob(".latest.json.*.tmp"), *output_dir.glob("runs/.*.tmp")]:
        temp.unlink(missing_ok=True)  # a manifest or pointer being written when the run died
    return pending


def shard_run(name: str) -> str | None:
    """The run id in a shard's final name, None when it is not a shard's name."""
    match = SHARD_NAME.match(name)
    return None if match is None else match["run"]


def temp_final_name(name: str) -> str:
    """The final name of a temp file named by :func:`newspipe.atomic.temp_path_for`."""
    stem = name.removeprefix(".").removesuffix(".tmp")
    return stem.rsplit(".", 1)[0]  # the pid


def count_lines(path: Path) -> int:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as file:
        return sum(1 for _ in file)


def orphan_runs(
    output_dir: Path, current_run: str, is_alive: Callable[[str], bool] | None = None
) -> dict[str, list[tuple[Path, str]]]:
    """Shards of earlier runs that have no run manifest (killed runs): run id -> (file, kind).

    ``is_alive``: runs sharing the output dir at once; a live run's shards are not orphans.
    """
    found: dict[str, list[tuple[Path, str]]] = {}
    for path in sorted(output_dir.glob("seeds-*.jsonl*")):
        match = SHARD_NAME.match(path.name)
        if match is None or match["run"] == current_run:
            continue
        if is_alive is not None and is_alive(match["run"]):
            continue
        if (output_dir / "runs" / f"{match['run']}.json").exists():
            continue
        found.setdefault(match["run"], []).append((path, "rejects" if match["rejects"] else "kept"))
    return found
