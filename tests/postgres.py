"""A real PostgreSQL from Debian's postgresql package, started in a temporary directory for tests.

PostgreSQL refuses to run as root, so as root initdb and pg_ctl run as the `postgres` user the
package creates. The server listens on a free loopback port and is stopped by its pid."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fakes import free_port
from tests.live import wait_until


def postgres_bin() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, else Debian's /usr/lib/postgresql/<v>/bin."""
    found = shutil.which("pg_ctl")
    candidates = [Path(found).resolve().parent] if found else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    return next((c for c in candidates if (c / "initdb").is_file()), None)


@dataclass
class PostgresServer:
    """A running server that trusts local connections of its superuser `postgres`."""

    port: int

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of one database, as Dragoman's database_url setting takes it."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        name = f"test_{uuid.uuid4().hex[:12]}"
        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as db:
            db.execute(f"CREATE DATABASE {name}")
        return self.url(name)


def _gone(pid: int) -> bool:
    """True once a process has ended (a zombie nobody reaps counts as ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].startswith("Z")
    except FileNotFoundError:
        return True


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Initialise a cluster in a temporary directory, start it, and stop it by its pid."""
    bindir = postgres_bin()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    as_postgres: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="dragoman-pg-"))
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no `postgres` user to run PostgreSQL as")
        shutil.chown(root, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", free_port()
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root} " \
              "-c fsync=off -c max_connections=50"  # fmt: skip
    pid = None
    try:
        subprocess.run(
            [*as_postgres, str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
             "-A", "trust", "-E", "UTF8", "--no-sync"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        subprocess.run(
            [*as_postgres, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"),
             "-o", options, "-w", "-t", "60", "start"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        pid = int((data / "postmaster.pid").read_text().split()[0])
        yield PostgresServer(port)
    finally:
        if pid is not None:
            os.kill(pid, signal.SIGINT)  # PostgreSQL's fast shutdown
            wait_until(lambda: _gone(pid), 60, "PostgreSQL to stop")
        shutil.rmtree(root, ignore_errors=True)
