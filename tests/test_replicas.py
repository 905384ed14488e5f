"""Replicas on one real PostgreSQL: two `dragoman serve` processes do every document job exactly
once; a job whose replica is killed is finished by the other, its finished segments taken from
the shared translation memory; a database outage mid-job delays the job and fails nothing."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import AUTH
from tests.fakes import FakeOpenAIServer, free_port
from tests.live import wait_until

pytestmark = pytest.mark.postgres
SOURCE = re.compile(r"<source[^>]*>\n(.*)\n</source>", re.S)


def source_of(body: dict) -> str:
    """The segment a single-segment chat request asks to translate."""
    return SOURCE.search(body["messages"][-1]["content"]).group(1)  # type: ignore[union-attr]


def upper(body: dict) -> str:
    return source_of(body).upper()


class Replica:
    """A `dragoman serve` process of its own, with its own data directory and port."""

    def __init__(self, process: subprocess.Popen, url: str) -> None:
        self.process = process
        self.url = url
        self.client = httpx.Client(base_url=url, headers=AUTH, timeout=30)

    def submit(self, name: str, data: bytes) -> str:
        files = {"file": (name, data)}
        created = self.client.post(
            "/v1/documents", files=files, data={"target": "en", "source": "de"}
        )
        assert created.status_code == 202, created.text
        return created.json()["id"]

    def status(self, job_id: str) -> dict:
        return self.client.get(f"/v1/documents/{job_id}").json()


@pytest.fixture
def start_replica(tmp_path: Path) -> Iterator[Callable[..., Replica]]:
    """Start replicas of one service (same database and backend); all are killed at the end."""
    with ExitStack() as stack:

        def start(database_url: str, backend_url: str, **settings: str) -> Replica:
            port = free_port()
            env = {
                **os.environ,
                "DRAGOMAN_DATABASE_URL": database_url,
                "DRAGOMAN_DATA_DIR": str(tmp_path / f"replica-{port}"),
                "DRAGOMAN_PORT": str(port),
                "DRAGOMAN_BACKEND": "llama-server",
                "DRAGOMAN_BASE_URL": backend_url,
                "DRAGOMAN_WARM_UP": "false",
                "DRAGOMAN_PARALLEL": "1",
                "DRAGOMAN_BATCH_SEGMENTS": "1",
                "DRAGOMAN_JOB_POLL": "0.1",
                **{f"DRAGOMAN_{name.upper()}": value for name, value in settings.items()},
            }
            process = subprocess.Popen(
                [sys.executable, "-m", "dragoman.services.cli", "serve"],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            stack.callback(_kill, process)
            replica = Replica(process, f"http://127.0.0.1:{port}")
            stack.callback(replica.client.close)

            def ready() -> bool:
                if process.poll() is not None:
                    raise AssertionError(f"replica exited with {process.returncode}")
                try:
                    return replica.client.get("/health").status_code == 200
                except httpx.TransportError:
                    return False

            wait_until(ready, 120, "the replica to serve")
            return replica

        yield start


def _kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)


def job_rows(database_url: str) -> dict[str, tuple[str, int, float | None]]:
    """Each job's holder, number of claims and lease, read straight from the database."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as db:
            rows = db.execute(text("SELECT id, owner, attempts, lease_until FROM jobs"))
            return {job_id: (owner, attempts, lease) for job_id, owner, attempts, lease in rows}
    finally:
        engine.dispose()


def pid_of(owner: str) -> int:
    """The process id inside a replica's name (host/pid/random)."""
    return int(owner.split("/")[1])


def test_two_replicas_do_every_job_exactly_once(pg_url: str, start_replica) -> None:
    both_busy = threading.Barrier(2, timeout=120)

    def reply(body: dict) -> str:
        # The first two requests wait for each other: each replica is then inside a job of its
        # own (one job at a time, one request at a time), so both really share the work.
        if len(server.requests) <= 2:
            both_busy.wait()
        return upper(body)

    with FakeOpenAIServer(reply=reply) as server:
        a = start_replica(pg_url, server.base_url)
        b = start_replica(pg_url, server.base_url)
        sent = {}
        for n in range(30):
            replica = (a, b)[n % 2]
            sent[replica.submit(f"brief{n}.txt", f"Brief Nummer {n} an alle.\n".encode())] = n
        for job_id in sent:  # any replica answers for any job: they share the database
            wait_until(lambda job_id=job_id: a.status(job_id)["status"] == "done", 120, "job done")
        for job_id, n in sent.items():
            assert (
                b.client.get(f"/v1/documents/{job_id}/result").text
                == f"BRIEF NUMMER {n} AN ALLE.\n"
            )
        rows = job_rows(pg_url)
        assert {job_id: attempts for job_id, (_, attempts, _) in rows.items()} == dict.fromkeys(
            sent, 1
        )
        assert {pid_of(owner) for owner, _, _ in rows.values()} == {a.process.pid, b.process.pid}
        assert sorted(map(source_of, (r["json"] for r in server.requests))) == sorted(
            f"Brief Nummer {n} an alle." for n in range(30)
        )  # every segment sent to the model once


def test_a_killed_replicas_job_is_finished_by_the_other_from_memory(
    pg_url: str, start_replica
) -> None:
    sentences = [f"Satz Nummer {n} im Dokument." for n in range(12)]
    release = threading.Event()

    def held_after_three(body: dict) -> str:
        # The fourth request is held until the replica that sent it has been killed.
        if len(server.requests) > 3:
            release.wait(timeout=120)
        return upper(body)

    with FakeOpenAIServer(reply=held_after_three) as server:
        a = start_replica(pg_url, server.base_url, job_lease="2")
        job_id = a.submit("notes.md", "".join(f"{s}\n\n" for s in sentences).encode())
        server.wait_for_requests(4, alive=lambda: a.process.poll() is None)
        b = start_replica(pg_url, server.base_url, job_lease="2")
        owner, _, first_lease = job_rows(pg_url)[job_id]
        assert pid_of(owner) == a.process.pid
        wait_until(lambda: a.status(job_id)["progress"]["done"] == 3, 30, "a to record 3 done")

        def renewed_past_first_lease() -> bool:
            holder, attempts, lease = job_rows(pg_url)[job_id]
            assert holder == owner and attempts == 1, "b took a job whose lease a renews"
            return lease is not None and lease > first_lease + 2

        wait_until(renewed_past_first_lease, 60, "a to renew its lease past the first one")
        a.process.send_signal(signal.SIGKILL)
        a.process.wait()
        killed_at = len(server.requests)
        release.set()
        wait_until(lambda: b.status(job_id)["status"] == "done", 120, "b to finish the job")
        result = b.client.get(f"/v1/documents/{job_id}/result").text
    assert result == "".join(f"{s.upper()}\n\n" for s in sentences)
    owner, attempts, _ = job_rows(pg_url)[job_id]
    assert pid_of(owner) == b.process.pid and attempts == 2
    assert [source_of(r["json"]) for r in server.requests[:killed_at]] == sentences[:4]
    # The three segments a finished came from the shared memory; b sent only the rest.
    assert sorted(source_of(r["json"]) for r in server.requests[killed_at:]) == sorted(
        sentences[3:]
    )


def test_a_database_outage_mid_job_delays_the_job_without_failing_it(
    postgres, pg_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import psycopg
    from fastapi.testclient import TestClient

    from dragoman.services.api.app import create_app
    from dragoman.services.runtime import Runtime
    from dragoman.services.settings import Settings
    from tests.fakes import RecordingChatModel, segment_replier

    name = pg_url.rsplit("/", 1)[1]
    admin = psycopg.connect(f"host=127.0.0.1 port={postgres.port} user=postgres", autocommit=True)

    def outage(down: bool) -> None:
        admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS {str(not down).lower()}")
        if down:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
            )

    release = threading.Event()
    model = RecordingChatModel(reply=segment_replier(lambda t: release.wait(60) and t.upper()))
    settings = Settings(
        backend="llama-server", data_dir=tmp_path, warm_up=False, batch_segments=1,
        database_url=pg_url, job_lease=1, job_poll=0.1,
    )  # fmt: skip
    runtime = Runtime(settings, model_factory=lambda *_: model)
    with admin, TestClient(create_app(runtime=runtime), headers=AUTH) as client:
        files = {"file": ("notes.md", b"Erster Satz.\n\nZweiter Satz.\n")}
        job_id = client.post(
            "/v1/documents", files=files, data={"target": "en", "source": "de"}
        ).json()["id"]
        wait_until(lambda: model.history, 30, "the first model call")
        outage(True)
        release.set()  # the answer cannot go into the memory: its database is away
        wait_until(lambda: "the database went away" in caplog.text, 30, "the runner to notice")
        outage(False)
        wait_until(
            lambda: client.get(f"/v1/documents/{job_id}").json()["status"] != "running",
            60,
            "the job to end",
        )
        job = client.get(f"/v1/documents/{job_id}").json()
        result = client.get(f"/v1/documents/{job_id}/result").text
    assert job["status"] == "done" and result == "ERSTER SATZ.\n\nZWEITER SATZ.\n"
    assert job_rows(pg_url)[job_id][1] == 2  # claimed again once its lease ran out
