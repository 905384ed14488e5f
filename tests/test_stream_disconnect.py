"""A client that leaves a stream early stops the remaining translation work."""

from __future__ import annotations

import threading
import time

import httpx
import uvicorn

from services.app import create_app
from services.runtime import Runtime
from services.settings import Settings
from tests.conftest import AUTH
from tests.fakes import RecordingChatModel, free_port, segment_replier


def slow_upper(text: str) -> str:
    time.sleep(0.3)
    return text.upper()


def test_disconnect_cancels_remaining_items(tmp_path) -> None:
    model = RecordingChatModel(reply=segment_replier(slow_upper))
    settings = Settings(backend="llama-server", data_dir=tmp_path, warm_up=False, memory=False)
    runtime = Runtime(settings, model_factory=lambda resolved, settings, recorder: model)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(runtime=runtime), port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        items = [f"Beitrag Nummer {n} im Forum." for n in range(12)]
        body = {"q": items, "source": "de", "target": "en"}
        with httpx.stream(
            "POST",
            f"http://127.0.0.1:{port}/v1/translate/stream",
            json=body,
            headers=AUTH,
            timeout=10,
        ) as response:
            first = next(response.iter_lines())
        assert '"index": 0' in first
        time.sleep(1.5)
        calls = len(model.history)
        time.sleep(1.0)
        assert len(model.history) == calls  # nothing more is asked of the model
        assert calls < len(items)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
