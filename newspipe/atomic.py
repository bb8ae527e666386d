"""Files that appear under their final name only when complete: written aside, fsynced, renamed."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO


def temp_path_for(final: Path) -> Path:
    """The hidden name a file is written under until it is complete."""
    return final.with_name(f".{final.name}.{os.getpid()}.tmp")


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def finish(file: IO[bytes], temp: Path, final: Path) -> None:
    """Flush and fsync ``file`` (open on ``temp``), close it and rename it to ``final``."""
    file.flush()
    os.fsync(file.fileno())
    file.close()
    os.replace(temp, final)
    fsync_dir(final.parent)


def write_atomic(final: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` (bytes, or chunks of them, written as they come: none held all at once) to
    ``final`` so that readers see the old file or the whole new one."""
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_path_for(final)
    file = temp.open("wb")
    try:
        if isinstance(data, bytes):
            file.write(data)
        else:
            file.writelines(data)
        finish(file, temp, final)
    except BaseException:
        file.close()
        temp.unlink(missing_ok=True)
        raise
