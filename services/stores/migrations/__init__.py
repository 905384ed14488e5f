"""Alembic migrations of the shared database; services.db runs them when a store first opens it."""
