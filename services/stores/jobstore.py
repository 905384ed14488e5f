"""Document jobs in the shared database, files included, claimed by one replica at a time."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.sql import ColumnElement

from .db import Database, epoch_now
from .legacy import import_legacy_jobs
from .schema import jobs

JobState = Literal["queued", "running", "done", "failed"]
UNFINISHED: tuple[JobState, ...] = ("queued", "running")
_FIELDS = "id filename source target status total done counts error attempts waiting_for"
_RECORD = [jobs.c[name] for name in _FIELDS.split()]


@dataclass
class JobRecord:
    """A job as stored, without its files."""

    id: str
    filename: str
    source: str
    target: str
    status: JobState
    total: int
    done: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    attempts: int = 0  # times a replica has started it
    waiting_for: str | None = None  # why a queued job waits before it is tried again


class JobStore:
    """Jobs and their input and output files; a replica runs a job only while it holds its lease."""

    def __init__(self, database: Database, legacy: Path | None = None) -> None:
        self.database = database
        self.legacy = legacy

    def open(self) -> None:
        """Connect and migrate now rather than on the first request; move legacy jobs in."""
        if self.legacy is not None:
            import_legacy_jobs(self.database, self.legacy)
        self.database.open()

    def create(self, filename: str, data: bytes, source: str, target: str, total: int) -> str:
        """Store an upload and queue it."""
        job_id = uuid.uuid4().hex
        now = time.time()
        with self.database.begin() as db:
            db.execute(
                insert(jobs).values(
                    id=job_id, filename=filename, source=source, target=target, status="queued",
                    total=total, created=now, updated=now, input=data,
                )
            )  # fmt: skip
        return job_id

    def get(self, job_id: str) -> JobRecord | None:
        """A job by id."""
        with self.database.connect() as db:
            row = db.execute(select(*_RECORD).where(jobs.c.id == job_id)).mappings().first()
        if row is None:
            return None
        return JobRecord(**{**row, "counts": json.loads(row["counts"])})

    def input(self, job_id: str) -> bytes:
        """The uploaded file of a job."""
        return self._file(jobs.c.input, job_id) or b""

    def output(self, job_id: str) -> bytes | None:
        """The translated file of a job, once it is done."""
        return self._file(jobs.c.output, job_id)

    def _file(self, column: Any, job_id: str) -> bytes | None:
        with self.database.connect() as db:
            data = db.scalar(select(column).where(jobs.c.id == job_id))
        return bytes(data) if data is not None else None

    def claim(self, owner: str, lease: float, attempts: int) -> str | None:
        """Take the oldest job nobody holds (queued and due, or running on a lapsed lease).
        A job whose holders lapsed `attempts` times is failed instead: something in it stops
        every replica that runs it. On PostgreSQL, replicas skip each other's locked rows;
        SQLite's transactions take the whole database's write lock, so one claim runs at a time."""
        lapsed = or_(jobs.c.lease_until.is_(None), jobs.c.lease_until < epoch_now())
        abandoned = and_(jobs.c.status == "running", lapsed)
        give_up = (
            update(jobs)
            .where(abandoned, jobs.c.attempts >= attempts)
            .values(
                status="failed", owner=None, lease_until=None, updated=time.time(),
                error=f"gave up after {attempts} attempts: each replica that ran this job "
                "stopped before finishing it",
            )
        )  # fmt: skip
        due = or_(jobs.c.not_before.is_(None), jobs.c.not_before <= epoch_now())
        # Never a lapsed job out of attempts: its lease may lapse between the two statements
        # (the clock is read by each), and it would be started once more than allowed.
        retry = and_(abandoned, jobs.c.attempts < attempts)
        free = or_(and_(jobs.c.status == "queued", due), retry)
        oldest = (
            select(jobs.c.id)
            .where(free)
            .order_by(jobs.c.created)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        take = (
            update(jobs)
            .where(jobs.c.id == oldest)
            .values(
                status="running", owner=owner, lease_until=epoch_now() + lease, done=0,
                attempts=jobs.c.attempts + 1, error=None, not_before=None, waiting_for=None,
                updated=time.time(),
            )
            .returning(jobs.c.id)
        )  # fmt: skip
        with self.database.begin() as db:
            db.execute(give_up)
            return db.scalar(take)

    def renew(self, job_id: str, owner: str, lease: float, done: int) -> bool:
        """Extend `owner`'s lease and record progress; False once the job is no longer held."""
        return self._set(job_id, owner, lease_until=epoch_now() + lease, done=done)

    def finish(self, job_id: str, owner: str, output: bytes, counts: dict[str, int]) -> bool:
        """Store a job's result; False (and nothing stored) if `owner` lost the job."""
        return self._set(
            job_id, owner, status="done", done=jobs.c.total, counts=json.dumps(counts),
            output=output, lease_until=None,
        )  # fmt: skip

    def fail(self, job_id: str, owner: str, error: str) -> bool:
        """Mark a held job failed with a message for the user."""
        return self._set(job_id, owner, status="failed", error=error, lease_until=None)

    def postpone(self, job_id: str, owner: str, delay: float, reason: str) -> bool:
        """Give a held job back to the queue, to be tried again no sooner than `delay` seconds
        from now (the attempt counts), saying why it waits."""
        return self._set(
            job_id, owner, status="queued", owner=None, lease_until=None,
            not_before=epoch_now() + delay, waiting_for=reason,
        )  # fmt: skip

    def release(self, job_id: str, owner: str) -> bool:
        """Give a held job back to the queue, for this or another replica to run (a replica
        that stops cleanly does not use up one of the job's attempts)."""
        return self._set(
            job_id, owner, status="queued", owner=None, lease_until=None,
            attempts=jobs.c.attempts - 1,
        )  # fmt: skip

    def _set(self, job_id: str, holder: str, **values: Any) -> bool:
        """Change a job only while `holder` holds it, so a replica that lost it changes nothing."""
        held: ColumnElement[bool] = and_(
            jobs.c.id == job_id, jobs.c.owner == holder, jobs.c.status == "running"
        )
        with self.database.begin() as db:
            changed = db.execute(update(jobs).where(held).values(**values, updated=time.time()))
        return changed.rowcount == 1
