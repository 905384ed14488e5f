"""The translation memory: finished segment translations in the shared database, used by the API,
the CLI and the jobs of every replica, and searched by source words for few-shot examples."""

from __future__ import annotations

import time
from functools import cache
from typing import Any

from sqlalchemy import Connection, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from dragoman.chains.translate import Origin, terms

from .db import Database
from .schema import WORD_INDEX, translations

_CHUNK = 500  # bound parameters per statement stay far under SQLite's and PostgreSQL's limits
_UPSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
# A search looks for at most this many distinct words of a segment: a long one still costs little.
_QUERY_WORDS = 48
_SQLITE_SEARCH = text(
    f"SELECT t.source_text, t.text FROM {WORD_INDEX} AS i JOIN translations AS t ON t.key = i.key "  # noqa: S608 - a constant name
    f"WHERE {WORD_INDEX} MATCH :query AND t.source = :source AND t.target = :target "
    "ORDER BY i.rank LIMIT :most"
)
_POSTGRESQL_SEARCH = text(
    "SELECT source_text, text FROM translations WHERE source = :source AND target = :target "
    "AND to_tsvector('simple', terms) @@ to_tsquery('simple', :query) "
    "ORDER BY ts_rank(to_tsvector('simple', terms), to_tsquery('simple', :query)) DESC "
    "LIMIT :most"
)


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

    def put_many(self, items: dict[str, str], origins: dict[str, Origin] | None = None) -> None:
        """Store translations, replacing older ones under the same keys; with their origins,
        their sources become searchable (a key's source never changes: it is part of the key)."""
        if not items:
            return
        origins = origins or {}
        now = time.time()
        # Sorted keys: two replicas writing overlapping keys lock rows in one order, never deadlock.
        rows = [_row(key, items[key], origins.get(key), now) for key in sorted(items)]
        with self.database.begin() as db:
            new = _new_keys(db, [key for key in sorted(items) if key in origins])
            for start in range(0, len(rows), _CHUNK):
                db.execute(_replace(db.dialect.name), rows[start : start + _CHUNK])
            if db.dialect.name == "sqlite" and new:
                _index_words(db, [row for row in rows if row["key"] in new])

    def similar(
        self, texts: list[str], source: str, target: str, most: int
    ) -> dict[str, list[tuple[str, str]]]:
        """Up to `most` remembered (source, translation) pairs of this language pair sharing
        words with each text, the best ranked by the database's full-text search first."""
        found: dict[str, list[tuple[str, str]]] = {}
        with self.database.connect() as db:
            for item in dict.fromkeys(texts):
                words = list(dict.fromkeys(terms(item)))[:_QUERY_WORDS]
                rows = _search(db, words, source, target, most) if words and most > 0 else []
                found[item] = [(str(s), str(t)) for s, t in rows]
        return found

    def __len__(self) -> int:
        with self.database.connect() as db:
            return int(db.scalar(select(func.count()).select_from(translations)) or 0)

    def close(self) -> None:
        """Close the database's connections."""
        self.database.close()


@cache
def _replace(dialect: str) -> Any:
    """The upsert of a translation, built once per dialect: built per call, its columns' copies
    were thousands of objects a document for the garbage collector."""
    upsert: Any = _UPSERT[dialect](translations)
    return upsert.on_conflict_do_update(
        index_elements=[translations.c.key],
        set_={"text": upsert.excluded.text, "created": upsert.excluded.created},
    )


def _row(key: str, translation: str, origin: Origin | None, now: float) -> dict[str, Any]:
    row: dict[str, Any] = {"key": key, "text": translation, "created": now}
    row.update(source=None, target=None, source_text=None, terms=None)
    if origin is not None:
        words = " ".join(terms(origin.text))
        row.update(source=origin.source, target=origin.target, source_text=origin.text)
        row["terms"] = words or None
    return row


def _pair_phrase(source: str, target: str) -> str:
    """A language pair as the words of SQLite's index column `pair` ("zh-TW", "en": "zh tw en")."""
    return " ".join(terms(f"{source} {target}"))


def _search(db: Connection, words: list[str], source: str, target: str, most: int) -> Any:
    """Rows (source text, translation) sharing any of `words`, best ranked first; the words are
    quoted, so none is read as query syntax."""
    params: dict[str, Any] = {"source": source, "target": target, "most": most}
    if db.dialect.name == "sqlite":
        either = " OR ".join(f'"{word}"' for word in words)
        params["query"] = f'pair : "{_pair_phrase(source, target)}" AND terms : ({either})'
        return db.execute(_SQLITE_SEARCH, params)
    params["query"] = " | ".join(f"'{word}'" for word in words)
    return db.execute(_POSTGRESQL_SEARCH, params)


def _new_keys(db: Connection, keys: list[str]) -> set[str]:
    """Those of `keys` not stored yet (read inside the writing transaction)."""
    present: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        present.update(db.scalars(select(translations.c.key).where(translations.c.key.in_(chunk))))
    return set(keys) - present


def _index_words(db: Connection, rows: list[dict[str, Any]]) -> None:
    """Add new segments' words to SQLite's FTS5 index (PostgreSQL indexes the column itself)."""
    entries = [
        {"terms": row["terms"], "pair": _pair_phrase(row["source"], row["target"]),
         "key": row["key"]}
        for row in rows
        if row["terms"]
    ]  # fmt: skip
    if entries:
        db.execute(
            text(f"INSERT INTO {WORD_INDEX} (terms, pair, key) VALUES (:terms, :pair, :key)"),  # noqa: S608
            entries,
        )
