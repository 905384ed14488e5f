"""Document jobs: uploads translated in the background, kept in SQLite, resumed after a restart."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from dragoman.chains import DragomanError

from .files import open_sqlite, write_atomically
from .runtime import Runtime
from .translation import translate_file_bytes

log = logging.getLogger("dragoman.jobs")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, filename TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,
    status TEXT NOT NULL, total INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0,
    counts TEXT NOT NULL DEFAULT '{}', error TEXT, created REAL NOT NULL, updated REAL NOT NULL
)
"""
JobState = Literal["queued", "running", "done", "failed"]
UNFINISHED: tuple[JobState, ...] = ("queued", "running")


@dataclass
class JobRecord:
    """A job as stored."""

    id: str
    filename: str
    source: str
    target: str
    status: JobState
    total: int
    done: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None


class JobStore:
    """Jobs in SQLite; each job's input and output files in a folder of its own."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = open_sqlite(self.root / "jobs.sqlite3", _SCHEMA)
        return self._db

    def folder(self, job_id: str) -> Path:
        """Where a job's files live."""
        return self.root / job_id

    def create(self, filename: str, data: bytes, source: str, target: str, total: int) -> str:
        """Store an upload and queue it."""
        job_id = uuid.uuid4().hex
        write_atomically(self.folder(job_id) / "input", data)
        now = time.time()
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT INTO jobs (id, filename, source, target, status, total, created, updated)"
                " VALUES (?, ?, ?, ?, 'queued', ?, ?, ?)",
                (job_id, filename, source, target, total, now, now),
            )
        return job_id

    def get(self, job_id: str) -> JobRecord | None:
        """A job by id."""
        with self._lock:
            row = (
                self._connect()
                .execute(
                    "SELECT id, filename, source, target, status, total, done, counts, error"
                    " FROM jobs WHERE id = ?",
                    (job_id,),
                )
                .fetchone()
            )
        if row is None:
            return None
        job_id, filename, source, target, status, total, done, counts, error = row
        return JobRecord(
            job_id, filename, source, target, status, total, done, json.loads(counts), error
        )

    def update(self, job_id: str, **fields: Any) -> None:
        """Change some of a job's fields."""
        if "counts" in fields:
            fields["counts"] = json.dumps(fields["counts"])
        names = ", ".join(f"{name} = ?" for name in fields)
        with self._lock, self._connect() as db:
            db.execute(
                f"UPDATE jobs SET {names}, updated = ? WHERE id = ?",
                (*fields.values(), time.time(), job_id),
            )

    def unfinished(self) -> list[str]:
        """Jobs that were queued or running when the service last stopped."""
        with self._lock:
            rows = (
                self._connect()
                .execute("SELECT id FROM jobs WHERE status IN (?, ?) ORDER BY created", UNFINISHED)
                .fetchall()
            )
        return [row[0] for row in rows]


class JobRunner:
    """Runs jobs one after another on the service's event loop."""

    def __init__(self, runtime: Runtime, store: JobStore) -> None:
        self.runtime = runtime
        self.store = store
        self._queue: asyncio.Queue[str] | None = None
        self._worker: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the worker and queue jobs left unfinished by an earlier run."""
        self._queue = asyncio.Queue()
        for job_id in self.store.unfinished():
            self._queue.put_nowait(job_id)
        self._worker = asyncio.create_task(self._work())

    async def stop(self) -> None:
        """Stop the worker; a running job stays `running` and resumes on the next start."""
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)

    def submit(self, job_id: str) -> None:
        """Queue a stored job."""
        assert self._queue is not None, "the job runner has not started"
        self._queue.put_nowait(job_id)

    async def _work(self) -> None:
        assert self._queue is not None
        while True:
            job_id = await self._queue.get()
            try:
                await self.run(job_id)
            except asyncio.CancelledError:
                raise
            except Exception:  # keep serving other jobs; the failure is on record
                log.exception("job %s failed", job_id)
                self.store.update(
                    job_id, status="failed", error="internal error; see the server log"
                )

    async def run(self, job_id: str) -> None:
        """Translate one job's file; finished segments come from the translation memory."""
        job = self.store.get(job_id)
        if job is None or job.status not in UNFINISHED:
            return
        self.store.update(job_id, status="running", done=0)
        done = 0

        def progress(count: int) -> None:
            nonlocal done
            done += count
            self.store.update(job_id, done=done)

        folder = self.store.folder(job_id)
        try:
            data = await asyncio.to_thread((folder / "input").read_bytes)
            translator = self.runtime.translator(progress=progress)
            translated, result = await translate_file_bytes(
                translator, data, job.filename, job.target, job.source
            )
            await asyncio.to_thread(write_atomically, folder / "output", translated)
        except DragomanError as exc:
            self.store.update(job_id, status="failed", error=exc.message)
            return
        self.store.update(job_id, status="done", done=job.total, counts=result.counts)
