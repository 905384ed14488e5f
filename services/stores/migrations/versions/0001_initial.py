"""The translation memory and document jobs as the SQLite-only versions made them.

Both tables are created only where missing: a data directory from before migrations already
has them, and is adopted as it is.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables that are missing."""
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "translations" not in existing:
        op.create_table(
            "translations",
            sa.Column("key", sa.Text, primary_key=True),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("created", sa.Float, nullable=False),
        )
    if "jobs" not in existing:
        op.create_table(
            "jobs",
            sa.Column("id", sa.Text, primary_key=True),
            sa.Column("filename", sa.Text, nullable=False),
            sa.Column("source", sa.Text, nullable=False),
            sa.Column("target", sa.Text, nullable=False),
            sa.Column("status", sa.Text, nullable=False),
            sa.Column("total", sa.Integer, nullable=False),
            sa.Column("done", sa.Integer, nullable=False, server_default="0"),
            sa.Column("counts", sa.Text, nullable=False, server_default="{}"),
            sa.Column("error", sa.Text),
            sa.Column("created", sa.Float, nullable=False),
            sa.Column("updated", sa.Float, nullable=False),
        )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("jobs")
    op.drop_table("translations")
