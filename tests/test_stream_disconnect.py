"""A client that leaves a stream early stops the remaining translation work."""

from __future__ import annotations

import threading

import httpx

from dragoman.services.api.app import create_app
from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from tests.conftest import AUTH
from tests.fakes import RecordingChatModel, segment_replier
from tests.live import wait_until


def test_disconnect_cancels_remaining_items(tmp_path, live_app) -> None:
    release = threading.Event()
    answered: list[str] = []

    def held_upper(text: str) -> str:
        # The first item is answered at once; later ones wait until the client has gone.
        if answered:
            release.wait(timeout=30)
        answered.append(text)
        return text.upper()

    model = RecordingChatModel(reply=segment_replier(held_upper))
    settings = Settings(backend="llama-server", data_dir=tmp_path, warm_up=False, memory=False)
    runtime = Runtime(settings, model_factory=lambda *_: model)
    app = create_app(runtime=runtime)
    items = [f"Beitrag Nummer {n} im Forum." for n in range(12)]
    url = live_app(app)
    try:
        body = {"q": items, "source": "de", "target": "en"}
        with httpx.stream(
            "POST", f"{url}/v1/translate/stream", json=body, headers=AUTH, timeout=10
        ) as response:
            first = next(response.iter_lines())
        assert '"index": 0' in first
        # The stream's work ends when the service notices the client left.
        admission = app.state.admission
        gone = lambda: (admission.running, admission.waiting) == (0, 0)  # noqa: E731
        wait_until(gone, 10, "the stream to be cancelled and its place given back")
        calls = len(model.history)
        release.set()
        assert calls < len(items)
        assert len(model.history) == calls  # nothing more is asked of the model
    finally:
        release.set()
