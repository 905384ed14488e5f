"""The translation memory: finished segment translations in SQLite, shared by API, CLI and jobs."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from .files import open_sqlite

_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    key TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    created REAL NOT NULL
)
"""
_CHUNK = 500  # SQLite limits the number of bound parameters per statement


class SqliteMemory:
    """A key → translation store; keys come from chains.translate.engine.memory_key."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = open_sqlite(self.path, _SCHEMA)
        return self._db

    def get_many(self, keys: list[str]) -> dict[str, str]:
        """Return the stored translations among `keys`."""
        found: dict[str, str] = {}
        with self._lock:
            db = self._connect()
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    f"SELECT key, text FROM translations WHERE key IN ({marks})", chunk
                )
                found.update(dict(rows.fetchall()))
        return found

    def put_many(self, items: dict[str, str]) -> None:
        """Store translations, replacing older ones under the same keys."""
        now = time.time()
        with self._lock:
            db = self._connect()
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO translations (key, text, created) VALUES (?, ?, ?)",
                    [(key, text, now) for key, text in items.items()],
                )

    def __len__(self) -> int:
        with self._lock:
            return self._connect().execute("SELECT COUNT(*) FROM translations").fetchone()[0]

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
