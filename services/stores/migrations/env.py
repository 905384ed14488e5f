"""Alembic's entry point: migrate the connection services.db hands over, inside its transaction."""

from __future__ import annotations

from alembic import context

from dragoman.services.stores.schema import in_schema, metadata

connection = context.config.attributes["connection"]
# Batch mode lets later steps alter SQLite tables, which support few ALTER TABLE forms.
context.configure(
    connection=connection, target_metadata=metadata, render_as_batch=True, include_name=in_schema
)
with context.begin_transaction():
    context.run_migrations()
