"""The default state store: one SQLite file (stdlib ``sqlite3``), on disk, not in memory."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS kept (
    content_hash TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    run_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS inputs (key TEXT PRIMARY KEY, record TEXT NOT NULL) WITHOUT ROWID;
-- Near-duplicate index: seq is the order documents were kept in (ties go to the earliest).
CREATE TABLE IF NOT EXISTS near_docs (
    seq INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL UNIQUE,
    source TEXT,
    signature BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS near_bands (
    band_key INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (band_key, seq)
) WITHOUT ROWID;
-- Shared passages: holders is the space-separated ids of the first documents holding a print.
CREATE TABLE IF NOT EXISTS paragraph_prints (
    print INTEGER PRIMARY KEY,
    holders TEXT NOT NULL
);
"""

#: SQLite's smallest limit on the parameters of one statement is 999: lookups go in chunks.
_CHUNK = 500


def _chunks(values: Sequence[object]) -> Iterator[Sequence[object]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _marks(count: int) -> str:
    return ",".join("?" * count)


class SqliteState:
    """State in a SQLite file; one transaction a run, committed with the run's output."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are begun and committed explicitly below. The
        # lookups' IN lists take one statement per length (up to _CHUNK): a statement cache
        # larger than the default 128 keeps them prepared instead of preparing them again.
        self._db = sqlite3.connect(
            str(path),
            isolation_level=None,
            check_same_thread=False,
            cached_statements=2 * _CHUNK,
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk before the output files it describes are renamed into place.
        self._db.execute("PRAGMA synchronous=FULL")
        # A run is one long transaction: a larger page cache keeps the dedup index's pages in
        # memory instead of spilling them to the WAL on every few documents (32 MB at most).
        self._db.execute("PRAGMA cache_size=-32768")
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

    def prefetch(self, content_hash: str, band_keys: Sequence[int], prints: Sequence[int]) -> None:
        pass  # a lookup is a local B-tree search: nothing to gain from reading ahead

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

    def add_near_index(
        self, doc_id: str, band_keys: Sequence[int], signature: bytes, source: str | None
    ) -> None:
        self._begin()
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO near_docs (doc_id, source, signature) VALUES (?, ?, ?)",
            (doc_id, source, signature),
        )
        if cursor.rowcount != 1 or not band_keys:
            return
        seq = cursor.lastrowid
        self._db.executemany(
            "INSERT OR IGNORE INTO near_bands (band_key, seq) VALUES (?, ?)",
            [(key, seq) for key in band_keys],
        )

    def lsh_candidates(self, band_keys: Sequence[int]) -> list[str]:
        if len(band_keys) <= _CHUNK:
            rows = self._db.execute(
                "SELECT doc_id FROM near_docs WHERE seq IN (SELECT seq FROM near_bands "
                f"WHERE band_key IN ({_marks(len(band_keys))})) ORDER BY seq",
                band_keys,
            )
            return [str(row[0]) for row in rows]
        seqs: set[int] = set()
        for chunk in _chunks(band_keys):
            rows = self._db.execute(
                f"SELECT seq FROM near_bands WHERE band_key IN ({_marks(len(chunk))})", chunk
            )
            seqs.update(row[0] for row in rows)
        ids: list[str] = []
        for chunk in _chunks(sorted(seqs)):
            rows = self._db.execute(
                f"SELECT doc_id FROM near_docs WHERE seq IN ({_marks(len(chunk))}) ORDER BY seq",
                chunk,
            )
            ids.extend(str(row[0]) for row in rows)
        return ids

    def get_signatures(self, doc_ids: Sequence[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for chunk in _chunks(doc_ids):
            rows = self._db.execute(
                f"SELECT doc_id, signature FROM near_docs WHERE doc_id IN ({_marks(len(chunk))})",
                chunk,
            )
            found.update((str(doc_id), bytes(sig)) for doc_id, sig in rows if sig)
        return found

    def get_sources(self, doc_ids: Sequence[str]) -> dict[str, str | None]:
        found: dict[str, str | None] = {}
        for chunk in _chunks(doc_ids):
            rows = self._db.execute(
                f"SELECT doc_id, source FROM near_docs WHERE doc_id IN ({_marks(len(chunk))})",
                chunk,
            )
            found.update((str(doc_id), None if src is None else str(src)) for doc_id, src in rows)
        return found

    def add_paragraph_prints(self, doc_id: str, prints: Sequence[int], max_holders: int) -> None:
        if not prints:
            return
        self._begin()
        # The holder list grows while it has at most max_holders ids (max_holders - 1 spaces).
        self._db.executemany(
            "INSERT INTO paragraph_prints (print, holders) VALUES (?, ?) ON CONFLICT (print) DO "
            "UPDATE SET holders = holders || ' ' || excluded.holders "
            "WHERE length(holders) - length(replace(holders, ' ', '')) < ?",
            [(value, doc_id, max_holders) for value in dict.fromkeys(prints)],
        )

    def paragraph_holders(self, prints: Sequence[int]) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        for chunk in _chunks(prints):
            rows = self._db.execute(
                "SELECT print, holders FROM paragraph_prints "
                f"WHERE print IN ({_marks(len(chunk))})",
                chunk,
            )
            found.update((int(value), str(holders).split(" ")) for value, holders in rows)
        return found

    def commit(self) -> None:
        if self._in_transaction:
            self._db.execute("COMMIT")
            self._in_transaction = False

    def rollback(self) -> None:
        # SQLite rolls back on its own after some errors (a full disk): nothing left to undo
        if self._in_transaction and self._db.in_transaction:
            self._db.execute("ROLLBACK")
        self._in_transaction = False

    def close(self) -> None:
        self.rollback()
        self._db.close()

    # -- runs: the input manifest (newspipe.manifest) ------------------------------------------

    def get_inputs(self, keys: list[str]) -> dict[str, str]:
        if len(keys) > _CHUNK:
            scanned = self._scan_inputs(keys)
            if scanned is not None:
                return scanned
        found: dict[str, str] = {}
        for chunk in _chunks(keys):  # both TEXT columns: str already
            found.update(
                self._db.execute(
                    f"SELECT key, record FROM inputs WHERE key IN ({_marks(len(chunk))})", chunk
                )
            )
        return found

    def _scan_inputs(self, keys: list[str]) -> dict[str, str] | None:
        """The records of ``keys`` from one range scan of the primary key, which costs half as
        much as lookups when the keys fill their stretch of it (a walk's paths under one root).
        None when other keys outnumber them there (roots far apart): lookups are cheaper."""
        rows = self._db.execute(
            "SELECT key, record FROM inputs WHERE key BETWEEN ? AND ?", (min(keys), max(keys))
        )
        wanted = set(keys)
        found: dict[str, str] = {}
        budget = 2 * len(keys)
        for scanned, (key, record) in enumerate(rows):
            if scanned == budget:
                return None
            if key in wanted:
                found[key] = record
        return found

    def set_input(self, key: str, record: str) -> None:
        self._begin()
        self._db.execute("INSERT OR REPLACE INTO inputs (key, record) VALUES (?, ?)", (key, record))
