"""The personal dictionary per language: a word is known in one language, or ("") in all.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _words(name: str, with_language: bool) -> None:
    columns = [sa.Column("word", sa.Text, nullable=False)]
    if with_language:
        columns.append(sa.Column("language", sa.Text, nullable=False, server_default=""))
    columns.append(sa.Column("created", sa.Float, nullable=False))
    # A renamed table keeps its key's name on PostgreSQL, so the new key has a name of its own.
    key = ("word", "language") if with_language else ("word",)
    key_name = "words_word_language_pkey" if with_language else "words_pkey"
    op.create_table(name, *columns, sa.PrimaryKeyConstraint(*key, name=key_name))


def upgrade() -> None:
    """Key the words by word and language; every word added before is known in all languages."""
    op.rename_table("words", "words_0005")
    _words("words", with_language=True)
    op.execute(
        "INSERT INTO words (word, language, created) SELECT word, '', created FROM words_0005"
    )
    op.drop_table("words_0005")


def downgrade() -> None:
    """Back to one language-less word list (a word added for two languages is kept once)."""
    op.rename_table("words", "words_0006")
    _words("words", with_language=False)
    op.execute(
        "INSERT INTO words (word, created) SELECT word, MIN(created) FROM words_0006 GROUP BY word"
    )
    op.drop_table("words_0006")
