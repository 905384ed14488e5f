"""A llama-server-shaped model server that answers like the pseudo backend, as a process of its
own so that a benchmark can SIGKILL it: `python -m bench.model_server PORT [SLOTS] [SECONDS]`.

It streams each answer as server-sent events in HTTP/1.1 chunks, a few words at a time, spread
over SECONDS (default 0.02): a kill then cuts answers off mid-stream, as a crashing llama-server
does. `/props` gives its slots (llama-server's `total_slots`), `/tokenize` counts tokens, and
`GET /stats` says how many model calls it took and answered.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from dragoman.services.llm.pseudo import pseudolocalize

FENCE = re.compile(r"<source[^>]*>\n(.*)\n</source>", re.S)
NUMBERED = re.compile(r"^\[(\d+)\] (.*)$")
CHUNKS = 4  # pieces each answer streams in


def answer(body: dict[str, Any]) -> str:
    """The pseudo-translation a chat or completion request asks for: each numbered line of a
    batch (as lines, or as JSON when a schema is asked for), a fenced segment, or the text."""
    if "prompt" in body:
        return pseudolocalize(str(body["prompt"]))
    content = str(body["messages"][-1]["content"])
    fenced = FENCE.search(content)
    if fenced is None:  # a raw prompt: the text alone
        return pseudolocalize(content)
    lines = fenced.group(1).split("\n")
    numbered = [NUMBERED.match(line) for line in lines]
    if not all(numbered):
        return pseudolocalize(fenced.group(1))
    pairs = [(m.group(1), pseudolocalize(m.group(2))) for m in numbered if m]
    if body.get("response_format"):
        return json.dumps(dict(pairs), ensure_ascii=False)
    return "\n".join(f"[{n}] {text}" for n, text in pairs)


def events(body: dict[str, Any], content: str) -> list[dict[str, Any]]:
    """The answer as OpenAI's stream chunks: content in pieces, a stop, usage when asked."""
    chat = "messages" in body
    kind = "chat.completion.chunk" if chat else "text_completion"
    base = {"id": "pseudo", "created": 0, "model": body.get("model"), "object": kind}
    size = max(1, -(-len(content) // CHUNKS))
    pieces = [content[i : i + size] for i in range(0, len(content), size)] or [""]

    def choice(text: str, finish: str | None) -> dict[str, Any]:
        if chat:
            return {"index": 0, "delta": {"content": text} if text else {}, "finish_reason": finish}
        return {"index": 0, "text": text, "finish_reason": finish}

    out = [{**base, "choices": [choice(piece, None)]} for piece in pieces]
    out.append({**base, "choices": [choice("", "stop")]})
    if (body.get("stream_options") or {}).get("include_usage"):
        usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
        out.append({**base, "choices": [], "usage": usage})
    return out


class Counts:
    """Model calls taken and answered to the end, and texts tokenized, shared by the threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.answered = 0
        self.tokenized = 0

    def add(self, field: str) -> None:
        with self.lock:
            setattr(self, field, getattr(self, field) + 1)

    def snapshot(self) -> dict[str, int]:
        """The counts now, for GET /stats."""
        with self.lock:
            return {
                "requests": self.requests,
                "answered": self.answered,
                "tokenized": self.tokenized,
            }


def make_handler(slots: int, seconds: float, counts: Counts) -> type[BaseHTTPRequestHandler]:
    """The request handler of a server with `slots` and `seconds` per answer."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # chunked answers: a cut-off stream is an error, not an end
        disable_nagle_algorithm = True  # else a kept-alive connection waits 40 ms for an ACK

        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path.endswith("/models"):
                self._json(200, {"object": "list", "data": [{"id": "pseudo", "object": "model"}]})
            elif self.path == "/props":
                self._json(200, {"total_slots": slots})
            elif self.path == "/stats":
                self._json(200, counts.snapshot())
            else:
                self._json(404, {"error": {"message": "not found"}})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.path == "/tokenize":
                counts.add("tokenized")
                self._json(200, {"tokens": list(range(len(body["content"]) // 4 + 1))})
                return
            counts.add("requests")
            content = answer(body)
            if not body.get("stream"):
                message = {"role": "assistant", "content": content}
                choice = {"index": 0, "finish_reason": "stop", "message": message}
                self._json(200, {"id": "pseudo", "object": "chat.completion", "choices": [choice]})
                counts.add("answered")
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunks = [f"data: {json.dumps(e)}\n\n" for e in events(body, content)]
            for n, chunk in enumerate([*chunks, "data: [DONE]\n\n"]):
                if n:  # the answer's time goes between its chunks, as a model generates
                    time.sleep(seconds / len(chunks))
                data = chunk.encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            counts.add("answered")

    return Handler


def main(port: int, slots: int = 4, seconds: float = 0.02) -> None:
    """Serve on 127.0.0.1:`port` until killed."""
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(slots, seconds, Counts()))
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("port", type=int)
    parser.add_argument("slots", type=int, nargs="?", default=4)
    parser.add_argument("seconds", type=float, nargs="?", default=0.02)
    options = parser.parse_args()
    main(options.port, options.slots, options.seconds)
