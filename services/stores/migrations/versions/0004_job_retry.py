"""Jobs whose model was unavailable wait before they are tried again, and say why.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add when a postponed job is due again (the database's clock) and why it waits."""
    with op.batch_alter_table("jobs") as jobs:
        jobs.add_column(sa.Column("not_before", sa.Float))
        jobs.add_column(sa.Column("waiting_for", sa.Text))


def downgrade() -> None:
    """Remove what upgrade added."""
    with op.batch_alter_table("jobs") as jobs:
        jobs.drop_column("waiting_for")
        jobs.drop_column("not_before")
