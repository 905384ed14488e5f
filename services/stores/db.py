"""The database shared by the translation memory and the document jobs: SQLite by default,
PostgreSQL when replicas share it; opened, and migrated with Alembic, on first use."""

from __future__ import annotations

import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Float

from ..errors import ConfigError, DatabaseUnavailable
from ..settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"
# Replicas starting together take turns migrating a PostgreSQL database ("dragoman" in ASCII).
_MIGRATION_LOCK = 7237954648016773486


def database_url(settings: Settings) -> str:
    """The configured database, else memory.sqlite3 in the data directory (the file that held
    the translation memory before jobs moved in, so existing data directories keep their memory)."""
    if settings.database_url is not None:
        return settings.database_url.get_secret_value()
    return f"sqlite:///{settings.data_dir / 'memory.sqlite3'}"


class epoch_now(FunctionElement[float]):
    """The database's clock in seconds since the epoch: every replica measures leases on it."""

    type = Float()
    inherit_cache = True


@compiles(epoch_now, "postgresql")
def _epoch_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return "CAST(extract(epoch from clock_timestamp()) AS double precision)"


@compiles(epoch_now, "sqlite")
def _epoch_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return "((julianday('now') - 2440587.5) * 86400.0)"


def _write_ahead_log(dbapi_connection: Any) -> None:
    """Put the file in WAL mode (readers never block the writer). The mode is kept in the file;
    switching takes a lock sqlite3 does not wait for, so replicas starting together take turns."""
    for _ in range(100):
        try:
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            time.sleep(0.05)
    dbapi_connection.execute("PRAGMA journal_mode=WAL")  # still locked after 5 s: say so


def _sqlite_engine(url: str) -> Engine:
    """A SQLite engine whose transactions really are transactions, each holding the write lock."""
    path = make_url(url).database
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    # sqlite3 (before Python 3.12) begins transactions late, and never for DDL; SQLAlchemy's
    # documented fix is to take BEGIN over. IMMEDIATE makes a claim or a migration atomic
    # across processes: the second waits for the first instead of failing halfway.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None
        _write_ahead_log(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_engine(url: str) -> Engine:
    """An engine for `url`, without connecting."""
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError as exc:
        raise ConfigError(f"database_url is not a database URL: {describe(url)}") from exc
    if backend == "sqlite":
        return _sqlite_engine(url)
    if backend != "postgresql":
        raise ConfigError(f"database_url: {backend} is not supported; use sqlite or postgresql")
    return create_engine(url, pool_pre_ping=True)


def alembic_config(connection: Connection) -> Config:
    """Alembic's configuration, built in code: no alembic.ini is needed at run time."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest migration: the revision this code's schema is."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to `revision`, one process at a time."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        command.upgrade(alembic_config(connection), revision)


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unreadable URL)"


def _reason(exc: SQLAlchemyError) -> str:
    """The first line of the driver's own message, without SQLAlchemy's wrapping."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


class Database:
    """One database for the stores of a process; connected and migrated on first use. A database
    that cannot be reached becomes DatabaseUnavailable (HTTP 503, exit 3), naming the URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def open(self) -> Engine:
        """Connect and migrate, once; later calls return the same engine."""
        with self._lock:
            if self._engine is None:
                engine = make_engine(self.url)
                try:
                    upgrade(engine)
                except SQLAlchemyError as exc:
                    engine.dispose()
                    raise DatabaseUnavailable(describe(self.url), _reason(exc)) from exc
                self._engine = engine
                # A Database let go of without close() closes its connections all the same.
                weakref.finalize(self, engine.dispose)
            return self._engine

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for reading."""
        with self._unavailable(), self.open().connect() as connection:
            yield connection

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in a transaction that commits when the block ends."""
        with self._unavailable(), self.open().begin() as connection:
            yield connection

    @contextmanager
    def _unavailable(self) -> Iterator[None]:
        try:
            yield
        except OperationalError as exc:  # down, restarting, or (SQLite) locked for too long
            raise DatabaseUnavailable(describe(self.url), _reason(exc)) from exc

    def ping(self) -> str | None:
        """None when the database answers a query, else why it does not."""
        try:
            with self.connect() as connection:
                connection.execute(text("SELECT 1"))
        except DatabaseUnavailable as exc:
            return exc.message
        return None

    def close(self, wait: float = 5.0) -> None:
        """Close the engine's connections, once those in use come back (for up to `wait`
        seconds); the next use opens it again."""
        with self._lock:
            engine, self._engine = self._engine, None
        if engine is None:
            return
        # A worker thread of a cancelled job may still hold one: disposed under it, it would
        # go back to a pool nobody closes (Python 3.13 warns of the open SQLite file).
        in_use = getattr(engine.pool, "checkedout", lambda: 0)  # QueuePool's count
        deadline = time.monotonic() + wait
        while in_use() and time.monotonic() < deadline:
            time.sleep(0.01)
        engine.dispose()
