"""The shared database's tables as the code uses them; migrations/ builds them step by step."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
)

metadata = MetaData()

# The translation memory: keys come from chains.translate.engine.memory_key.
translations = Table(
    "translations",
    metadata,
    Column("key", Text, primary_key=True),
    Column("text", Text, nullable=False),
    Column("created", Float, nullable=False),
    # The segment's source (normalized) and language pair, and the words fuzzy matches are
    # found by (chains.translate.fewshot.terms); empty for segments remembered before 0005.
    Column("source", Text),
    Column("target", Text),
    Column("source_text", Text),
    Column("terms", Text),
)

# The full-text index over translations.terms: on SQLite an FTS5 table (with its shadow tables)
# that the memory writes itself, on PostgreSQL a GIN index on the column's words.
WORD_INDEX = "translation_terms"


def in_schema(name: str | None, type_: str, parent_names: object) -> bool:
    """Whether Alembic compares this object: the word index is beyond SQLAlchemy's tables."""
    return not (name or "").startswith(WORD_INDEX)


# Document jobs with their files; a running job is held by one replica (`owner`) until its
# lease runs out, measured on the database's clock (seconds since the epoch).
jobs = Table(
    "jobs",
    metadata,
    Column("id", Text, primary_key=True),
    Column("filename", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("total", Integer, nullable=False),
    Column("done", Integer, nullable=False, server_default="0"),
    Column("counts", Text, nullable=False, server_default="{}"),
    Column("error", Text),
    Column("created", Float, nullable=False),
    Column("updated", Float, nullable=False),
    Column("owner", Text),
    Column("lease_until", Float),
    Column("attempts", Integer, nullable=False, server_default="0"),
    # A job whose model was unavailable waits until then (the database's clock), and says why.
    Column("not_before", Float),
    Column("waiting_for", Text),
    Column("input", LargeBinary),
    Column("output", LargeBinary),
    Index("ix_jobs_status_created", "status", "created"),
)

# The personal dictionary's words that users added (/v2/words); configured words stay in Settings.
# A word is known in one language (its primary code, "de") or, with "", in every language.
words = Table(
    "words",
    metadata,
    Column("word", Text, nullable=False),
    Column("language", Text, nullable=False, server_default=""),
    Column("created", Float, nullable=False),
    PrimaryKeyConstraint("word", "language", name="words_word_language_pkey"),
)
