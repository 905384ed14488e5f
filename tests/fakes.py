"""Fake models and a fake OpenAI-compatible server on loopback, for tests without a live backend."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.language_models.llms import LLM
from langchain_core.messages import AIMessage, BaseMessage


class RecordingChatModel(GenericFakeChatModel):
    """A fake chat model that answers with `reply(messages)` and keeps every prompt it saw."""

    reply: Callable[[list[BaseMessage]], str]
    history: list[list[BaseMessage]] = []
    # Calls after this many are recorded and never answered, like a backend that hangs;
    # cancelling the caller ends them.
    stall_after: int | None = None

    def __init__(self, reply: Callable[[list[BaseMessage]], str], **kwargs: Any) -> None:
        super().__init__(reply=reply, messages=iter(()), history=[], **kwargs)

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):  # type: ignore[override]
        self.history.append(list(messages))
        self.messages = iter([AIMessage(content=self.reply(messages))])
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)

    async def _agenerate(self, messages, stop=None, run_manager=None, **kwargs):  # type: ignore[override]
        if self.stall_after is not None and len(self.history) >= self.stall_after:
            self.history.append(list(messages))
            await asyncio.Event().wait()
        return await super()._agenerate(messages, stop=stop, run_manager=run_manager, **kwargs)


def last_user_text(messages: list[BaseMessage]) -> str:
    """The content of the last message, as the fakes see it."""
    return str(messages[-1].content)


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
                if self.path.endswith("/completions") and "prompt" in body:  # base models
                    choice = {"index": 0, "finish_reason": "stop", "text": content}
                    usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
                    self._send(200, {"id": "x", "object": "text_completion", "created": 0,
                                     "model": body.get("model"), "choices": [choice],
                                     "usage": usage})  # fmt: skip
                    return
                self._send(
                    200,
                    {
                        "id": "x",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body.get("model"),
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "message": {"role": "assistant", "content": content},
                            }
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    },
                )

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


def free_port() -> int:
    """A loopback port nothing listens on (bound and released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_FENCE = re.compile(r"<source[^>]*>\n(.*)\n</source>", re.S)
_NUMBERED = re.compile(r"^\[(\d+)\] (.*)$")


def fenced(messages: list[BaseMessage]) -> str:
    """The text inside the <source> fence of a chat translation prompt."""
    match = _FENCE.search(str(messages[-1].content))
    if not match:
        raise AssertionError(f"no fenced source in prompt: {messages[-1].content!r}")
    return match.group(1)


def segment_replier(transform: Callable[[str], str]) -> Callable[[list[BaseMessage]], str]:
    """A reply function answering batch and single prompts with transform(segment) per segment."""

    def reply(messages: list[BaseMessage]) -> str:
        body = fenced(messages)
        lines = body.split("\n")
        if all(_NUMBERED.match(line) for line in lines):
            return "\n".join(
                f"[{m.group(1)}] {transform(m.group(2))}" for m in map(_NUMBERED.match, lines) if m
            )
        return transform(body)

    return reply


def echo_chat_model() -> RecordingChatModel:
    """A chat model that answers every translation prompt with its source, unchanged."""
    return RecordingChatModel(reply=segment_replier(lambda text: text))


def translate_text(
    runtime: Any, text: str, source: str = "de", target: str = "en", fmt: str = "text"
) -> Any:
    """Translate through a runtime's translator, as the API and CLI do."""
    import asyncio

    from dragoman.chains.translate import TranslateRequest, translate_document

    return asyncio.run(
        translate_document(runtime.translator(), TranslateRequest(text, target, source, fmt))
    )


class ScriptedLLM(LLM):
    """A fake completion model answering reply(prompt); keeps every prompt it saw."""

    reply: Callable[[str], str]
    prompts: list[str] = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _call(self, prompt: str, stop=None, run_manager=None, **kwargs: Any) -> str:  # type: ignore[override]
        self.prompts.append(prompt)
        return self.reply(prompt)


def last_line_after(prompt: str, label: str) -> str:
    """The text after the last `label: ` line of a few-shot prompt."""
    lines = [line for line in prompt.split("\n") if line.startswith(f"{label}: ")]
    return lines[-1][len(label) + 2 :]


def make_translator(
    model: Any, profile: Any, options: dict[str, int] | None = None, **kwargs: Any
) -> Any:
    """A Translator with the service's default batching limits, and `options` overriding them."""
    import dataclasses

    from dragoman.chains.translate import Translator
    from dragoman.services.runtime import translate_options
    from dragoman.services.settings import Settings

    limits = dataclasses.replace(translate_options(Settings(), profile), **(options or {}))
    return Translator(model, profile, limits, **kwargs)


class DictMemory(dict):
    """The translation memory protocol over a plain dict: what the engine stores, inspectable."""

    def get_many(self, keys: list[str]) -> dict[str, str]:
        return {key: self[key] for key in keys if key in self}

    def put_many(self, items: dict[str, str]) -> None:
        self.update(items)


# A toy German/French → English word list: fakes that answer in the target language, as a model
# must, so that answers pass the check that they are no longer in the source language.
ENGLISH = {
    "ich": "i", "habe": "have", "hast": "have", "du": "you", "das": "the", "der": "the",
    "die": "the", "dem": "the", "ein": "a", "ist": "is", "gleiche": "same", "problem": "problem",
    "mit": "with", "meinem": "my", "seit": "since", "update": "update", "versucht": "tried",
    "zum": "on the", "thema": "topic", "ganz": "quite", "normaler": "normal",
    "deutscher": "German", "satz": "sentence", "guten": "good", "morgen": "morning",
    "wie": "how", "geht": "goes", "es": "it", "dir": "you", "heute": "today", "hallo": "hello",
    "welt": "world", "tschüss": "bye", "beitrag": "post", "nummer": "number", "etwas": "some",
    "text": "text", "über": "about", "fahrräder": "bicycles", "fahrrad": "bicycle", "und": "and",
    "reifen": "tyres", "letzten": "last", "winter": "winter", "neuer": "new", "hier": "here",
    "zeile": "line", "siehe": "see", "doku": "docs", "titel": "title", "erster": "first",
    "zweiter": "second", "dritter": "third", "im": "in the", "forum": "forum",
}  # fmt: skip
_WORD = re.compile(r"\w+")


def to_english(text: str) -> str:
    """Translate word by word with ENGLISH, in upper case; placeholders stay as they are."""

    def words(run: str) -> str:
        return _WORD.sub(lambda m: ENGLISH.get(m.group().lower(), m.group()).upper(), run)

    return re.sub(r"(</?[a-z]\d+/?>)|([^<]+|<)", lambda m: m.group(1) or words(m.group(2)), text)
