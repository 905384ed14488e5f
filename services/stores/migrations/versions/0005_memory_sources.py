"""The translation memory keeps each segment's source and language pair, indexed for fuzzy
matches: SQLite's FTS5, or PostgreSQL's full-text search over the same words.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_COLUMNS = ("source", "target", "source_text", "terms")


def upgrade() -> None:
    """Add the source columns (empty for segments remembered before) and their word index."""
    with op.batch_alter_table("translations") as translations:
        for name in _COLUMNS:
            translations.add_column(sa.Column(name, sa.Text))
    if op.get_bind().dialect.name == "sqlite":
        # `pair` is "source target", matched as a phrase; the key joins back to translations.
        op.execute("CREATE VIRTUAL TABLE translation_terms USING fts5(terms, pair, key UNINDEXED)")
    else:
        op.execute(
            "CREATE INDEX translation_terms ON translations "
            "USING gin (to_tsvector('simple', terms))"
        )


def downgrade() -> None:
    """Remove what upgrade added."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE translation_terms")
    else:
        op.execute("DROP INDEX translation_terms")
    with op.batch_alter_table("translations") as translations:
        for name in reversed(_COLUMNS):
            translations.drop_column(name)
