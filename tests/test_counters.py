"""Every admission and pool counter is given back on every path a request can end by: a body
that never starts, a client gone while waiting or mid-answer, a deadline, an exception."""

from __future__ import annotations

import asyncio
import json
import threading
from contextlib import nullcontext
from typing import Any

import httpx
import pytest

from dragoman.services.api.app import create_app
from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from tests.conftest import AUTH, TOKEN
from tests.fakes import RecordingChatModel, segment_replier
from tests.live import wait_until

STREAMS = {
    "/v1/translate/stream": {"q": ["Hallo Welt.", "Wie geht es?"], "source": "de", "target": "en"},
    "/v1/proofread/stream": {"text": "This are a test.", "checks": ["grammar"]},
}


def _runtime(tmp_path, model: RecordingChatModel, **overrides: Any) -> Runtime:
    settings = Settings(
        backend="llama-server",
        data_dir=tmp_path,
        warm_up=False,
        memory=False,
        parallel=1,
        **overrides,
    )
    return Runtime(settings, model_factory=lambda *_: model)


def _counts(app: Any) -> tuple[int, int]:
    admission = app.state.admission
    return admission.waiting, admission.running


def _scope(path: str, data: bytes, spec: str) -> dict[str, Any]:
    headers = [
        (b"host", b"testserver"),
        (b"authorization", f"Bearer {TOKEN}".encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(data)).encode()),
    ]
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": spec},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


async def _call_leaving(app: Any, path: str, spec: str) -> list[str]:
    """Send one request straight to the ASGI app from a client that is gone before any answer:
    on ASGI 2.4 sending the headers fails; before 2.4 the server reports the disconnect."""
    data = json.dumps(STREAMS[path]).encode()
    messages = [{"type": "http.request", "body": data, "more_body": False}]
    sent: list[str] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message["type"])
        if spec == "2.4":
            raise OSError("the client closed the connection")

    with pytest.raises(Exception) if spec == "2.4" else nullcontext():
        await app(_scope(path, data, spec), receive, send)
    return sent


@pytest.mark.parametrize("spec", ["2.4", "2.3"])
@pytest.mark.parametrize("path", list(STREAMS))
def test_a_stream_whose_body_never_starts_gives_back_its_place(tmp_path, path, spec) -> None:
    model = RecordingChatModel(reply=segment_replier(str.upper))
    app = create_app(runtime=_runtime(tmp_path, model))
    sent = asyncio.run(_call_leaving(app, path, spec))
    assert "http.response.body" not in sent  # the body never started
    assert _counts(app) == (0, 0)
    assert model.history == []  # and nothing was asked of the model


def test_a_client_gone_while_waiting_in_line_gives_back_its_place(tmp_path, live_app) -> None:
    release = threading.Event()

    def held(text: str) -> str:
        release.wait(timeout=30)
        return text.upper()

    model = RecordingChatModel(reply=segment_replier(held))
    app = create_app(runtime=_runtime(tmp_path, model))
    url = live_app(app)
    body = {"q": "Erster Beitrag.", "source": "de", "target": "en"}
    first = threading.Thread(
        target=httpx.post, args=(f"{url}/v1/translate",), kwargs={"json": body, "headers": AUTH}
    )
    try:
        first.start()
        wait_until(lambda: _counts(app) == (0, 1), 10, "the first request to hold the slot")
        stream = STREAMS["/v1/translate/stream"]
        with httpx.stream("POST", f"{url}/v1/translate/stream", json=stream, headers=AUTH) as r:
            assert r.status_code == 200  # the headers go out before the stream waits its turn
            wait_until(lambda: _counts(app) == (1, 1), 10, "the stream to wait in line")
        # The client left while in line: its place is given back before the slot frees.
        wait_until(lambda: _counts(app) == (0, 1), 10, "the place in line to be given back")
    finally:
        release.set()
        first.join(timeout=30)
    wait_until(lambda: _counts(app) == (0, 0), 10, "every place to be given back")
    assert len(model.history) == 1  # the stream that left never reached the model


@pytest.mark.parametrize("path", ["/v1/translate", "/v1/translate/stream"])
def test_an_unexpected_exception_gives_back_the_slot(tmp_path, live_app, path) -> None:
    def broken(text: str) -> str:
        raise RuntimeError("a bug in the model wrapper")

    model = RecordingChatModel(reply=segment_replier(broken))
    app = create_app(runtime=_runtime(tmp_path, model, max_queue=0))
    url = live_app(app)
    body = {"q": ["Hallo Welt."], "source": "de", "target": "en"}
    for _ in range(3):  # more requests than slots and queue: none may find them held
        try:
            response = httpx.post(f"{url}{path}", json=body, headers=AUTH, timeout=30)
            status = response.status_code
        except httpx.RemoteProtocolError:  # the stream broke after its headers
            status = 200
        assert status in {200, 500}
        assert _counts(app) == (0, 0)


def test_a_deadline_gives_back_the_slot(tmp_path, live_app) -> None:
    model = RecordingChatModel(reply=segment_replier(str.upper), stall_after=0)
    app = create_app(runtime=_runtime(tmp_path, model, request_deadline=0.5))
    url = live_app(app)
    body = {"q": "Hallo Welt.", "source": "de", "target": "en"}
    response = httpx.post(f"{url}/v1/translate", json=body, headers=AUTH, timeout=30)
    assert response.status_code == 504
    assert response.json()["error"]["code"] == "deadline_exceeded"
    assert _counts(app) == (0, 0)
