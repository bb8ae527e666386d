"""Where newspipe remembers what earlier runs ingested and kept (the dedup index)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from newspipe.config import SettingError
from newspipe.state.base import StateStore
from newspipe.state.redis import RedisState, StateUnavailable, is_redis_location
from newspipe.state.sqlite import SqliteState

DEFAULT_STATE_FILE = "newspipe-state.sqlite"
#: What a state store raises when it fails under a run (a full disk, Redis gone).
STATE_FAILURES = (sqlite3.Error, StateUnavailable, OSError)


def open_state(location: str, output_dir: Path) -> StateStore:
    """Open the store named by ``NEWSPIPE_STATE`` (empty: a SQLite file under the output dir)."""
    if not location:
        return SqliteState(output_dir / DEFAULT_STATE_FILE)
    if location.startswith("sqlite:///"):
        return SqliteState(Path(location.removeprefix("sqlite:///")))
    if is_redis_location(location):
        return RedisState(location)
    if "://" in location:
        scheme = location.split("://", 1)[0]
        raise SettingError(
            f"NEWSPIPE_STATE: no state store for scheme {scheme!r} "
            "(use a file path, sqlite:///PATH or redis://host:port/db)"
        )
    return SqliteState(Path(location))


def state_file(location: str, output_dir: Path) -> Path | None:
    """The file of a file-based state store (for its lock), None for a network store."""
    if not location:
        return output_dir / DEFAULT_STATE_FILE
    if location.startswith("sqlite:///"):
        return Path(location.removeprefix("sqlite:///"))
    if "://" in location:
        return None
    return Path(location)


__all__ = [
    "DEFAULT_STATE_FILE",
    "RedisState",
    "SqliteState",
    "StateStore",
    "open_state",
    "state_file",
]
