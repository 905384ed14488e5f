"""A document job outlives its model's outage: it waits with backoff and resumes from the
segments already done, each remaining one sent once; it fails only after its attempts."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dragoman.services.api.app import create_app
from dragoman.services.settings import Settings
from tests.conftest import AUTH
from tests.fake_server import FakeOpenAIServer
from tests.fakes import free_port
from tests.live import wait_until

SOURCE = re.compile(r"<source[^>]*>\n(.*)\n</source>", re.S)
PARAGRAPHS = [f"Absatz Nummer {n} des Dokuments." for n in range(1, 7)]
DOCUMENT = ("\n\n".join(PARAGRAPHS) + "\n").encode()


def source_of(body: dict) -> str:
    """The segment a single-segment chat request asks to translate."""
    match = SOURCE.search(body["messages"][-1]["content"])
    assert match, body
    return match.group(1)


def upper(body: dict) -> str:
    return source_of(body).upper()


def answered(server: FakeOpenAIServer) -> list[str]:
    """The segments a server answered (dropped requests are not answers)."""
    return [source_of(r["json"]) for r in server.requests if not r.get("dropped")]


def settings_for(tmp_path, port: int, **overrides) -> Settings:
    values = {
        "backend": "llama-server",
        "base_url": f"http://127.0.0.1:{port}/v1",
        "data_dir": tmp_path,
        "warm_up": False,
        "batch_segments": 1,
        "parallel": 1,
        "backend_retries": 0,
        "job_poll": 0.05,
        "job_backoff": 0.2,
        "job_attempts": 10,
        **overrides,
    }
    return Settings(**values)


def submit(client: TestClient) -> str:
    files = {"file": ("notes.md", DOCUMENT)}
    created = client.post("/v1/documents", files=files, data={"target": "en", "source": "de"})
    assert created.status_code == 202, created.text
    return created.json()["id"]


def test_a_job_resumes_once_its_model_is_back(tmp_path) -> None:
    port = free_port()
    # The server answers two segments, then drops every request, and is then killed.
    first = FakeOpenAIServer(reply=upper, fault=lambda n: "drop" if n >= 2 else None, port=port)
    app = create_app(settings_for(tmp_path, port))
    with TestClient(app, headers=AUTH) as client:
        with first:
            job_id = submit(client)

            def waiting() -> dict | None:
                job = client.get(f"/v1/documents/{job_id}").json()
                assert job["status"] != "failed", job
                return job if job["status"] == "queued" and job["waiting_for"] else None

            postponed = wait_until(waiting, 30, "the job to wait for its model")
            before = answered(first)
        # The server is gone (connections refused) and comes back on the same port.
        with FakeOpenAIServer(reply=upper, port=port) as second:
            done = wait_until(
                lambda: (
                    (job := client.get(f"/v1/documents/{job_id}").json())["status"]
                    in {"done", "failed"}
                    and job
                ),
                60,
                "the job to end",
            )
            result = client.get(f"/v1/documents/{job_id}/result").text
    assert "unavailable" in postponed["waiting_for"]
    assert len(before) == 2 and set(before) < set(PARAGRAPHS)
    assert done["status"] == "done", done
    assert done["counts"] == {"ok": len(PARAGRAPHS)} and done["waiting_for"] is None
    assert result.split("\n\n") == [p.upper() for p in PARAGRAPHS[:-1]] + [
        PARAGRAPHS[-1].upper() + "\n"
    ]
    # Resumed from the memory: each segment not done before the outage is sent once after it.
    assert Counter(answered(second)) == Counter(p for p in PARAGRAPHS if p not in before)


def test_a_job_whose_model_never_comes_back_fails_after_its_attempts(tmp_path) -> None:
    port = free_port()
    server = FakeOpenAIServer(reply=upper, fault=lambda n: "drop", port=port)
    settings = settings_for(tmp_path, port, job_attempts=2)
    with server, TestClient(create_app(settings), headers=AUTH) as client:
        job_id = submit(client)
        failed = wait_until(
            lambda: (
                (job := client.get(f"/v1/documents/{job_id}").json())["status"] == "failed" and job
            ),
            60,
            "the job to fail",
        )
    assert failed["error"].startswith("gave up after 2 attempts: model backend at")
    assert "unavailable" in failed["error"]
    # Each attempt sent the document's segments once: no attempt was lost, none added.
    assert Counter(source_of(r["json"]) for r in server.requests) == Counter(PARAGRAPHS * 2)


@pytest.mark.parametrize("steps", range(4))
def test_the_runner_stops_when_told_as_work_is_announced(tmp_path: Path, steps: int) -> None:
    # Before #34's fix a stop that came as a job was announced waited forever (asyncio.wait_for
    # on Python 3.11 swallows a cancellation that arrives as the event it waits for is set):
    # 1 shutdown in 10 of the documents growth tests hung.
    import asyncio

    from dragoman.services.jobs import JobRunner
    from dragoman.services.runtime import Runtime
    from dragoman.services.settings import Settings
    from dragoman.services.stores.jobstore import JobStore

    runtime = Runtime(Settings(backend="pseudo", data_dir=tmp_path, warm_up=False, job_poll=30))

    async def scenario() -> bool:
        runner = JobRunner(runtime, JobStore(runtime.stores.database))
        await runner.start()
        await asyncio.sleep(0.05)  # the worker is waiting for work
        runner.submit("announced")
        for _ in range(steps):
            await asyncio.sleep(0)
        await runner.stop(grace=5.0)
        return runner._worker is not None and runner._worker.done()

    try:
        assert asyncio.run(scenario())
    finally:
        runtime.stores.database.close()
