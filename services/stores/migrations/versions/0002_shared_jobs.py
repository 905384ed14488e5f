"""Jobs that replicas share: an owner with a lease, a count of claims, and the files themselves.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the lease, the claim count and the files to jobs; index what replicas look for."""
    with op.batch_alter_table("jobs") as jobs:
        jobs.add_column(sa.Column("owner", sa.Text))
        jobs.add_column(sa.Column("lease_until", sa.Float))
        jobs.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
        jobs.add_column(sa.Column("input", sa.LargeBinary))
        jobs.add_column(sa.Column("output", sa.LargeBinary))
    op.create_index("ix_jobs_status_created", "jobs", ["status", "created"])


def downgrade() -> None:
    """Remove what upgrade added."""
    op.drop_index("ix_jobs_status_created", "jobs")
    with op.batch_alter_table("jobs") as jobs:
        for name in ("output", "input", "attempts", "lease_until", "owner"):
            jobs.drop_column(name)
