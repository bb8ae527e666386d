"""The default state store: one SQLite file (stdlib ``sqlite3``), on disk, not in memory."""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS kept (
    content_hash TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    run_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS inputs (key TEXT PRIMARY KEY, record TEXT NOT NULL) WITHOUT ROWID;
"""


class SqliteState:
    """State in a SQLite file; one transaction a run, committed with the run's output."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are begun and committed explicitly below.
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk before the output files it describes are renamed into place.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        self._in_transaction = False

    def describe(self) -> str:
        return f"sqlite:///{self.path}"

    def _begin(self) -> None:
        if not self._in_transaction:
            self._db.execute("BEGIN")
            self._in_transaction = True

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._begin()
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def find_exact(self, content_hash: str) -> str | None:
        row = self._db.execute(
            "SELECT doc_id FROM kept WHERE content_hash = ?", (content_hash,)
        ).fetchone()
        return None if row is None else str(row[0])

    def add_kept(self, content_hash: str, doc_id: str, run_id: str) -> None:
        self._begin()
        self._db.execute(
            "INSERT OR IGNORE INTO kept (content_hash, doc_id, run_id) VALUES (?, ?, ?)",
            (content_hash, doc_id, run_id),
        )

    def reset(self) -> None:
        # Every table but meta: tables other parts of newspipe add are records of earlier runs too.
        self._begin()
        tables = self._db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'meta'"
        ).fetchall()
        for (table,) in tables:
            self._db.execute(f'DELETE FROM "{table}"')

    def commit(self) -> None:
        if self._in_transaction:
            self._db.execute("COMMIT")
            self._in_transaction = False

    def rollback(self) -> None:
        if self._in_transaction:
            self._db.execute("ROLLBACK")
            self._in_transaction = False

    def close(self) -> None:
        self.rollback()
        self._db.close()

    # -- runs: the input manifest (newspipe.manifest) ------------------------------------------

    def get_inputs(self, keys: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(keys), 500):  # SQLite caps the number of bound parameters
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT key, record FROM inputs WHERE key IN ({marks})", chunk)
            found.update((str(key), str(record)) for key, record in rows)
        return found

    def set_input(self, key: str, record: str) -> None:
        self._begin()
        self._db.execute("INSERT OR REPLACE INTO inputs (key, record) VALUES (?, ?)", (key, record))
