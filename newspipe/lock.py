"""One run at a time per output dir and state: a lock file held with ``flock`` for the whole run.

The file holds who took it (pid, host, start time, run id), so a run that finds it taken can say
who holds it. The kernel drops a ``flock`` when its process dies, so a lock left by a killed run is
free for the next one; a lock held for longer than ``stale_after`` seconds, or by a pid that no
longer exists on this host, is taken over (a hung run, or a file system where ``flock`` is a no-op).
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

logger = logging.getLogger(__name__)

LOCK_FILE = ".newspipe.lock"


class LockHeld(Exception):
    """Another run holds the lock; the message is one line naming it."""

    def __init__(self, path: Path, holder: Holder | None) -> None:
        who = holder.describe() if holder else "a run that has not written its name yet"
        super().__init__(f"{path}: another newspipe run holds the lock ({who}); nothing done")
        self.holder = holder


@dataclass(frozen=True)
class Holder:
    """Who holds a lock."""

    pid: int
    host: str
    started: float
    run_id: str = ""

    def describe(self) -> str:
        when = datetime.fromtimestamp(self.started, UTC).isoformat(timespec="seconds")
        run = f", run {self.run_id}" if self.run_id else ""
        return f"pid {self.pid} on {self.host}, started {when.replace('+00:00', 'Z')}{run}"

    def to_json(self) -> str:
        return json.dumps(
            {"pid": self.pid, "host": self.host, "started": self.started, "run_id": self.run_id}
        )

    @classmethod
    def from_json(cls, text: str) -> Holder | None:
        try:
            data = json.loads(text)
            return cls(
                int(data["pid"]),
                str(data["host"]),
                float(data["started"]),
                str(data.get("run_id", "")),
            )
        except (ValueError, KeyError, TypeError):
            return None


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists on this host."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by someone else
    return True


def is_stale(holder: Holder | None, *, now: float, stale_after: float, host: str) -> bool:
    """A holder that can no longer be running: dead pid on this host, or older than the bound."""
    if holder is None:
        return False
    if holder.host == host and not pid_alive(holder.pid):
        return True
    return stale_after > 0 and now - holder.started > stale_after


class RunLock:
    """The lock of one output dir (and of a state file kept elsewhere), held for one run."""

    def __init__(self, path: Path, *, run_id: str = "", stale_after: float = 0) -> None:
        self.path = path
        self.run_id = run_id
        self.stale_after = stale_after
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock or raise :class:`LockHeld` at once (never waits)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(5):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
                holder = _holder_of(fd)
                os.close(fd)
                if is_stale(
                    holder, now=time.time(), stale_after=self.stale_after, host=socket.gethostname()
                ):
                    assert holder is not None
                    logger.warning(
                        "%s: taking over a stale lock (%s)", self.path, holder.describe()
                    )
                    self.path.unlink(missing_ok=True)  # its holder keeps a lock on a nameless file
                    continue
                raise LockHeld(self.path, holder) from None
            # The file may have been unlinked (released or taken over) between open and flock:
            # a lock on a file that no longer has this name locks nothing.
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            previous = Holder.from_json(os.pread(fd, 4096, 0).decode("utf-8", "replace"))
            if previous is not None:
                logger.warning(
                    "%s: taking over the lock of a run that died (%s)",
                    self.path,
                    previous.describe(),
                )
            holder = Holder(os.getpid(), socket.gethostname(), time.time(), self.run_id)
            os.ftruncate(fd, 0)
            os.pwrite(fd, holder.to_json().encode("utf-8"), 0)
            os.fsync(fd)
            self._fd = fd
            return
        raise LockHeld(self.path, None)

    def release(self) -> None:
        """Remove the lock file, then let go of it (unlink first, so no one locks a dead name)."""
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self._fd)
            self._fd = None


#: How many times, 10 ms apart, a run that finds the lock taken reads the holder's name: a run
#: that took the lock a moment ago writes it just after.
_NAME_READS = 50


def _holder_of(fd: int) -> Holder | None:
    """Who holds the lock on ``fd``'s file (None: it has not written its name in half a second)."""
    for _ in range(_NAME_READS - 1):
        holder = Holder.from_json(os.pread(fd, 4096, 0).decode("utf-8", "replace"))
        if holder is not None:
            return holder
        time.sleep(0.01)
    return Holder.from_json(os.pread(fd, 4096, 0).decode("utf-8", "replace"))


def lock_paths(output_dir: Path, state_file: Path | None) -> list[Path]:
    """The lock files of a run: one in the output dir, one beside a state file kept elsewhere."""
    paths = [output_dir / LOCK_FILE]
    if state_file is not None and state_file.resolve().parent != output_dir.resolve():
        paths.append(state_file.with_name(f"{state_file.name}.lock"))
    return paths


def run_lock_path(output_dir: Path, run_id: str) -> Path:
    """The lock of one run among several sharing an output dir (scale-out workers)."""
    return output_dir / f".newspipe-{run_id}.lock"


def run_alive(output_dir: Path, run_id: str, *, stale_after: float = 0) -> bool:
    """Whether the run ``run_id`` still holds its :func:`run_lock_path` (a live worker)."""
    if not run_id:
        return False
    lock = RunLock(run_lock_path(output_dir, run_id), stale_after=stale_after)
    try:
        lock.acquire()
    except LockHeld:
        return True
    lock.release()
    return False
