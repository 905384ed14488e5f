"""Document jobs run in the background by every replica: each claims one job at a time from the
shared database and holds it on a lease it renews; a job whose replica died is taken over."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from contextlib import suppress

from sqlalchemy.exc import SQLAlchemyError

from dragoman.chains import BackendUnavailable, DragomanError

from .errors import DatabaseUnavailable
from .runtime import Runtime
from .stores.jobstore import JobRecord, JobStore
from .translation import archive_limits, translate_file_bytes

log = logging.getLogger("dragoman.jobs")
_STORE_ERRORS = (SQLAlchemyError, DatabaseUnavailable)


def replica_id() -> str:
    """This process's name on the jobs it holds: host, pid, and a random part for pid reuse."""
    return f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"


class _Progress:
    """Segments a running job has finished, and a signal to record them."""

    def __init__(self) -> None:
        self.done = 0
        self.changed = asyncio.Event()

    def add(self, count: int) -> None:
        self.done += count
        self.changed.set()


class JobRunner:
    """Claims and runs jobs one after another on the service's event loop."""

    def __init__(self, runtime: Runtime, store: JobStore) -> None:
        self.runtime = runtime
        self.store = store
        self.owner = replica_id()
        self.lease = runtime.settings.job_lease
        self.attempts = runtime.settings.job_attempts
        self.backoff = runtime.settings.job_backoff
        self.poll = runtime.settings.job_poll
        self._wake: asyncio.Event | None = None
        self._worker: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Open the database and start looking for jobs, those left unfinished included."""
        await asyncio.to_thread(self.store.open)
        self._wake = asyncio.Event()
        self._worker = asyncio.create_task(self._work())

    async def stop(self, grace: float = 10.0) -> None:
        """Stop; a job in progress goes back to the queue for the next replica to take. A
        runner still busy after `grace` seconds is left: its job's lease runs out instead."""
        if self._worker is None:
            return
        self._worker.cancel()
        done, _ = await asyncio.wait({self._worker}, timeout=grace)
        if not done:  # a guard: a shutdown must end, whatever a job is blocked on
            log.warning("the job runner did not stop within %g s; its lease will run out", grace)
        elif not self._worker.cancelled() and (failure := self._worker.exception()):
            log.warning("the job runner stopped with an error: %s", failure)

    def submit(self, job_id: str) -> None:
        """Look for work now: a stored job is waiting (this or another replica takes it)."""
        assert self._wake is not None, "the job runner has not started"
        self._wake.set()

    async def _work(self) -> None:
        assert self._wake is not None
        while True:
            self._wake.clear()  # before the claim, so a submit during it is not missed
            job_id = await self._claim()
            if job_id is not None:
                try:
                    await self._hold(job_id)
                except _STORE_ERRORS as exc:  # its lease runs out, and a replica takes it again
                    log.warning("job %s: the database went away: %s", job_id, exc)
                continue
            await _wait(self._wake, self.poll)

    async def _claim(self) -> str | None:
        try:
            return await asyncio.to_thread(self.store.claim, self.owner, self.lease, self.attempts)
        except _STORE_ERRORS as exc:  # the database is away: look again at the next poll
            log.warning("could not look for document jobs: %s", exc)
            return None

    async def _hold(self, job_id: str) -> None:
        """Run a claimed job while renewing its lease; stop if another replica took it over."""
        progress = _Progress()
        work = asyncio.create_task(self._run(job_id, progress))
        lease = asyncio.create_task(self._keep_lease(job_id, progress))
        try:
            await asyncio.wait({work, lease}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:  # the service is stopping
            await _cancel(work, lease)
            await asyncio.to_thread(self.store.release, job_id, self.owner)
            raise
        await _cancel(work, lease)
        if work.cancelled():
            log.warning("job %s: lease lost to another replica; it finishes the job", job_id)
        elif isinstance(failure := work.exception(), _STORE_ERRORS):
            raise failure
        elif failure is not None:  # the failure is on record; keep serving
            log.error("job %s failed", job_id, exc_info=failure)
            await asyncio.to_thread(
                self.store.fail, job_id, self.owner, "internal error; see the server log"
            )

    async def _keep_lease(self, job_id: str, progress: _Progress) -> None:
        """Renew the lease a few times per lease period and whenever segments finish; return
        once the job is no longer this replica's."""
        while True:
            await _wait(progress.changed, self.lease / 3)
            progress.changed.clear()
            try:
                args = (job_id, self.owner, self.lease, progress.done)
                if not await asyncio.to_thread(self.store.renew, *args):
                    return
            except _STORE_ERRORS as exc:  # keep working; the lease holds until it runs out
                log.warning("job %s: could not renew the lease: %s", job_id, exc)

    async def _run(self, job_id: str, progress: _Progress) -> None:
        """Translate one held job's file; finished segments come from the translation memory."""
        job = await asyncio.to_thread(self.store.get, job_id)
        assert job is not None, "a claimed job exists"
        data = await asyncio.to_thread(self.store.input, job_id)
        try:
            translator = await asyncio.to_thread(self.runtime.translator, progress=progress.add)
            limits = archive_limits(self.runtime.settings)
            translated, result = await translate_file_bytes(
                translator, data, job.filename, job.target, limits, job.source
            )
        except DatabaseUnavailable:
            raise  # not the document's fault: the job is run again, not failed
        except BackendUnavailable as exc:
            await self._model_away(job, exc)
            return
        except DragomanError as exc:
            await asyncio.to_thread(self.store.fail, job_id, self.owner, exc.message)
            return
        if result.fault is not None:  # some segments met the model away: finish them later
            await self._model_away(job, result.fault)
            return
        finished = (job_id, self.owner, translated, result.counts)
        if not await asyncio.to_thread(self.store.finish, *finished):
            log.warning("job %s: another replica took it over; this result is dropped", job_id)

    async def _model_away(self, job: JobRecord, fault: BackendUnavailable) -> None:
        """The model was unavailable: try the job again later, resuming from the segments the
        memory holds; fail it once it has had all its attempts."""
        if job.attempts >= self.attempts:
            reason = f"gave up after {job.attempts} attempts: {fault.message}"
            await asyncio.to_thread(self.store.fail, job.id, self.owner, reason)
            return
        delay = self.backoff * 2 ** (job.attempts - 1)
        log.warning("job %s: %s; trying again in %g s", job.id, fault.message, delay)
        await asyncio.to_thread(self.store.postpone, job.id, self.owner, delay, fault.message)


async def _wait(event: asyncio.Event, seconds: float) -> None:
    """Wait until `event` is set or `seconds` pass. Not asyncio.wait_for: on Python 3.11 it
    swallows a cancellation that arrives as the event is set, and the runner then never
    stopped (1 shutdown in 10 of the documents growth tests waited forever)."""
    with suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()


async def _cancel(*tasks: asyncio.Task[None]) -> None:
    """Cancel tasks and wait for them to end."""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
