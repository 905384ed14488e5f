"""The personal dictionary in the shared database, so every replica knows the words users add.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the table of words users added through /v2/words."""
    op.create_table(
        "words",
        sa.Column("word", sa.Text, primary_key=True),
        sa.Column("created", sa.Float, nullable=False),
    )


def downgrade() -> None:
    """Remove what upgrade added."""
    op.drop_table("words")
