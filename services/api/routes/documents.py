"""The document jobs API, in the spirit of DeepL's: upload, poll, download."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from dragoman.chains import (
    FILE_FORMATS,
    file_format,
    load_file,
    normalize_code,
)

from ...errors import JobNotDone, JobNotFound
from ...jobs import JobRunner
from ...stores.jobstore import JobRecord, JobState
from ...translation import archive_limits, check_text, check_upload
from ..deps import RuntimeDep
from ..jsonbody import CheckedJsonRoute

router = APIRouter(tags=["documents"], route_class=CheckedJsonRoute)


class Created(BaseModel):
    """A queued job."""

    id: str
    status: JobState


class Progress(BaseModel):
    """Segments done out of the document's total."""

    done: int
    total: int


class JobStatus(BaseModel):
    """A job's state."""

    id: str
    filename: str
    status: JobState
    progress: Progress
    counts: dict[str, int]
    error: str | None = None
    waiting_for: str | None = Field(
        None, description="why a queued job waits to be tried again (its model was unavailable)"
    )


def _attachment(filename: str) -> dict[str, str]:
    """A Content-Disposition header naming the download, as Starlette's FileResponse writes it."""
    quoted = quote(filename)
    if quoted != filename:
        return {"Content-Disposition": f"attachment; filename*=utf-8''{quoted}"}
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def _runner(request: Request) -> JobRunner:
    return request.app.state.jobs


def _job(request: Request, job_id: str) -> JobRecord:
    job = _runner(request).store.get(job_id)
    if job is None:
        raise JobNotFound(f"no document job {job_id!r}")
    return job


@router.post("/v1/documents", response_model=Created, status_code=202)
async def create(
    request: Request,
    runtime: RuntimeDep,
    file: Annotated[UploadFile, File(description="the document; its format comes from its name")],
    target: Annotated[str, Form()],
    source: Annotated[str, Form()] = "auto",
) -> Created:
    """Queue a document for translation; unreadable or unsupported files are refused now."""
    name = file.filename or ""
    file_format(name)
    data = await file.read()
    check_upload(data, runtime.settings)
    target = normalize_code(target)
    source = source if source == "auto" else normalize_code(source)
    limits = archive_limits(runtime.settings)
    document: Any = await run_in_threadpool(load_file, data, name, limits)
    check_text(document, runtime.settings.max_document_chars)
    runner = _runner(request)
    job_id = await run_in_threadpool(
        runner.store.create, name, data, source, target, len(document.segments)
    )
    runner.submit(job_id)
    return Created(id=job_id, status="queued")


@router.get("/v1/documents/{job_id}", response_model=JobStatus)
def status(request: Request, job_id: str) -> JobStatus:
    """A job's status and progress."""
    job = _job(request, job_id)
    progress = Progress(done=min(job.done, job.total), total=job.total)
    return JobStatus(
        id=job.id,
        filename=job.filename,
        status=job.status,
        progress=progress,
        counts=job.counts,
        error=job.error,
        waiting_for=job.waiting_for if job.status == "queued" else None,
    )


@router.get("/v1/documents/{job_id}/result")
def result(request: Request, job_id: str) -> Response:
    """The translated document, once the job is done."""
    job = _job(request, job_id)
    output = _runner(request).store.output(job_id) if job.status == "done" else None
    if output is None:
        raise JobNotDone(f"job {job_id} is {job.status}, not done")
    media_type = FILE_FORMATS[file_format(job.filename)].media_type
    return Response(output, media_type=media_type, headers=_attachment(job.filename))
