"""An OpenAI- and Ollama-shaped server on loopback that records requests and scripts replies."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

USAGE = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}


def openai_answer(path: str, body: dict[str, Any], content: str) -> dict[str, Any]:
    """A whole chat or text completion, as OpenAI's API answers without streaming."""
    base = {"id": "x", "created": 0, "model": body.get("model"), "usage": USAGE}
    if "prompt" in body:  # /v1/completions, for base models
        choice = {"index": 0, "finish_reason": "stop", "text": content}
        return {**base, "object": "text_completion", "choices": [choice]}
    message = {"role": "assistant", "content": content}
    choice = {"index": 0, "finish_reason": "stop", "message": message}
    return {**base, "object": "chat.completion", "choices": [choice]}


def openai_events(path: str, body: dict[str, Any], content: str) -> list[dict[str, Any]]:
    """The same answer as server-sent event chunks, with usage last when it was asked for."""
    base = {"id": "x", "created": 0, "model": body.get("model")}
    if "prompt" in body:
        chunk = {**base, "object": "text_completion"}
        events = [
            {**chunk, "choices": [{"index": 0, "text": content, "finish_reason": None}]},
            {**chunk, "choices": [{"index": 0, "text": "", "finish_reason": "stop"}]},
        ]
    else:
        chunk = {**base, "object": "chat.completion.chunk"}
        delta = {"role": "assistant", "content": content}
        events = [
            {**chunk, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]},
            {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        ]
    if (body.get("stream_options") or {}).get("include_usage"):
        events.append({**chunk, "choices": [], "usage": USAGE})
    return events


class FakeOpenAIServer:
    """An OpenAI- and Ollama-shaped server on 127.0.0.1 that records requests, scripts replies."""

    def __init__(
        self,
        reply: Callable[[dict[str, Any]], str] = lambda body: "Hello",
        fault: Callable[[int], str | None] = lambda n: None,
        port: int = 0,
    ) -> None:
        """`fault(n)` may make request n misbehave: "500", "garbage", "drop" or "slow:<seconds>"."""
        self.reply = reply
        self.fault = fault
        self.requests: list[dict[str, Any]] = []
        self.tokenized: list[str] = []  # texts sent to /tokenize
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.endswith("/models") or self.path == "/api/tags":
                    self._send(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})
                else:
                    self._send(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path == "/tokenize":  # llama-server's tokenizer: not a model call
                    server.tokenized.append(body["content"])
                    self._send(200, {"tokens": list(range(len(body["content"]) // 4 + 1))})
                    return
                fault = server.fault(len(server.requests))
                if fault == "drop":  # close the connection without an answer
                    server.requests.append({"path": self.path, "json": body, "dropped": True})
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if fault == "500":
                    server.requests.append({"path": self.path, "json": body, "failed": True})
                    self._send(500, {"error": {"message": "model crashed"}})
                    return
                if fault == "garbage":
                    server.requests.append({"path": self.path, "json": body, "garbage": True})
                    data = b"<html>502 Bad Gateway</html>"
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                if fault and fault.startswith("slow:"):
                    time.sleep(float(fault[5:]))
                server.requests.append(
                    {
                        "path": self.path,
                        "json": body,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                    }
                )
                content = server.reply(body)
                if self.path == "/api/chat":  # Ollama's native API
                    self._send(
                        200,
                        {
                            "model": body.get("model"),
                            "created_at": "2026-01-01T00:00:00Z",
                            "message": {"role": "assistant", "content": content},
                            "done": True,
                            "done_reason": "stop",
                        },
                    )
                    return
                if body.get("stream"):
                    self._send_events(openai_events(self.path, body, content))
                else:
                    self._send(200, openai_answer(self.path, body, content))

            def _send_events(self, events: list[dict[str, Any]]) -> None:
                data = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Content-Length", str(len(data.encode())))
                self.end_headers()
                self.wfile.write(data.encode())

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def wait_for_requests(
        self, count: int, timeout: float = 60, alive: Callable[[], bool] = lambda: True
    ) -> None:
        """Wait until `count` requests have come in; fail at once if `alive()` turns false."""
        from tests.live import wait_until

        def arrived() -> bool:
            if not alive():
                raise AssertionError(f"the client died after {len(self.requests)} requests")
            return len(self.requests) >= count

        wait_until(arrived, timeout, f"{count} requests")
