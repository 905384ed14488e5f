"""Dry runs: capture the exact request a backend would receive, and answer it without a network."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

Recorder = Callable[[dict[str, Any]], None]

# Enough of each API's answer for the clients to parse: an empty completion.
_EMPTY_OPENAI = {
    "id": "dry-run",
    "object": "chat.completion",
    "created": 0,
    "model": "dry-run",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": ""}, "finish_reason": "stop"}
    ],
}
# The same, as the server-sent events of a streamed chat or text completion.
_EMPTY_CHUNKS = {
    "chat": {"object": "chat.completion.chunk", "choices": [
        {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": "stop"}]},
    "text": {"object": "text_completion", "choices": [
        {"index": 0, "text": "", "finish_reason": "stop"}]},
}  # fmt: skip
_EMPTY_OLLAMA = {
    "model": "dry-run",
    "created_at": "1970-01-01T00:00:00Z",
    "message": {"role": "assistant", "content": ""},
    "done": True,
    "done_reason": "stop",
}


def describe_request(request: httpx.Request) -> dict[str, Any]:
    """Render an HTTP request as data, with credentials redacted."""
    headers = {
        k: ("***" if k.lower() == "authorization" else v) for k, v in request.headers.items()
    }
    body = request.content.decode("utf-8", "replace")
    try:
        payload: Any = json.loads(body) if body else None
    except json.JSONDecodeError:
        payload = body
    return {"method": request.method, "url": str(request.url), "headers": headers, "json": payload}


class RecordingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """An httpx transport that records each request and returns an empty model answer."""

    def __init__(self, record: Recorder) -> None:
        self.record = record

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.record(describe_request(request))
        if request.url.path.endswith("/api/chat"):
            return httpx.Response(200, content=json.dumps(_EMPTY_OLLAMA) + "\n")
        body = json.loads(request.content or b"{}")
        if body.get("stream"):
            chunk = {"id": "dry-run", "created": 0, "model": "dry-run"}
            chunk.update(_EMPTY_CHUNKS["text" if "prompt" in body else "chat"])
            events = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n"
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, text=events)
        return httpx.Response(200, json=_EMPTY_OPENAI)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._answer(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self._answer(request)
