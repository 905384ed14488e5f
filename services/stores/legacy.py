"""Document jobs from before the shared database: data_dir/jobs/jobs.sqlite3 and a folder of files
per job, moved into the database once so that their results stay downloadable."""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy import insert, select

from .db import Database
from .schema import jobs

log = logging.getLogger("dragoman.jobs")
_COLUMNS = ("id", "filename", "source", "target", "status", "total", "done", "counts", "error",
            "created", "updated")  # fmt: skip


def import_legacy_jobs(database: Database, folder: Path) -> int:
    """Copy the jobs of `folder` into `database` and rename its jobs.sqlite3 so it is read once;
    the files stay where they are. Returns the number of jobs copied."""
    legacy = folder / "jobs.sqlite3"
    if not legacy.is_file():
        return 0
    with closing(sqlite3.connect(legacy)) as old:
        rows = [dict(zip(_COLUMNS, row, strict=True)) for row in old.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM jobs"  # noqa: S608 - fixed column names
        )]  # fmt: skip
    with database.begin() as db:
        present = set(db.scalars(select(jobs.c.id).where(jobs.c.id.in_([r["id"] for r in rows]))))
        fresh = [_with_files(row, folder / row["id"]) for row in rows if row["id"] not in present]
        if fresh:
            db.execute(insert(jobs), fresh)
    legacy.rename(legacy.with_name("jobs.sqlite3.imported"))
    log.info("moved %d document jobs from %s into the database", len(fresh), folder)
    return len(fresh)


def _with_files(row: dict, files: Path) -> dict:
    """A legacy row with its files read in; a job that was running is queued again."""
    output = files / "output"
    return {
        **row,
        "status": "queued" if row["status"] == "running" else row["status"],
        "input": (files / "input").read_bytes() if (files / "input").is_file() else None,
        "output": output.read_bytes() if output.is_file() else None,
    }
