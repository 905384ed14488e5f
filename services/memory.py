"""The translation memory: finished segment translations in the shared database, used by the API,
the CLI and the jobs of every replica."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from .db import Database
from .schema import translations

_CHUNK = 500  # bound parameters per statement stay far under SQLite's and PostgreSQL's limits
_UPSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class TranslationMemory:
    """A key → translation store; keys come from chains.translate.engine.memory_key."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def get_many(self, keys: list[str]) -> dict[str, str]:
        """Return the stored translations among `keys`."""
        found: dict[str, str] = {}
        with self.database.connect() as db:
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                rows = db.execute(
                    select(translations.c.key, translations.c.text).where(
                        translations.c.key.in_(chunk)
                    )
                )
                found.update({key: text for key, text in rows})
        return found

    def put_many(self, items: dict[str, str]) -> None:
        """Store translations, replacing older ones under the same keys."""
        if not items:
            return
        now = time.time()
        # Sorted keys: two replicas writing overlapping keys lock rows in one order, never deadlock.
        rows = [{"key": key, "text": items[key], "created": now} for key in sorted(items)]
        with self.database.begin() as db:
            insert: Any = _UPSERT[db.dialect.name](translations)
            replace = insert.on_conflict_do_update(
                index_elements=[translations.c.key],
                set_={"text": insert.excluded.text, "created": insert.excluded.created},
            )
            for start in range(0, len(rows), _CHUNK):
                db.execute(replace, rows[start : start + _CHUNK])

    def __len__(self) -> int:
        with self.database.connect() as db:
            return int(db.scalar(select(func.count()).select_from(translations)) or 0)

    def close(self) -> None:
        """Close the database's connections."""
        self.database.close()
