"""Fake models and a fake OpenAI-compatible server on loopback, for tests without a live backend."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.language_models.llms import LLM
from langchain_core.messages import AIMessage, BaseMessage

from tests.fake_server import FakeOpenAIServer  # noqa: F401 - tests import it from here


class RecordingChatModel(GenericFakeChatModel):
    """A fake chat model that answers with `reply(messages)` and keeps every prompt it saw."""

    reply: Callable[[list[BaseMessage]], str]
    history: list[list[BaseMessage]] = []
    options: list[dict[str, Any]] = []  # the call options of each prompt, in order
    # Calls after this many are recorded and never answered, like a backend that hangs;
    # cancelling the caller ends them.
    stall_after: int | None = None

    def __init__(self, reply: Callable[[list[BaseMessage]], str], **kwargs: Any) -> None:
        super().__init__(reply=reply, messages=iter(()), history=[], options=[], **kwargs)

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):  # type: ignore[override]
        self.history.append(list(messages))
        self.options.append(kwargs)
        self.messages = iter([AIMessage(content=self.reply(messages))])
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)

    async def _agenerate(self, messages, stop=None, run_manager=None, **kwargs):  # type: ignore[override]
        await self._maybe_stall(messages)
        return await super()._agenerate(messages, stop=stop, run_manager=run_manager, **kwargs)

    async def _astream(self, messages, stop=None, run_manager=None, **kwargs):  # type: ignore[override]
        await self._maybe_stall(messages)
        async for chunk in super()._astream(messages, stop=stop, run_manager=run_manager, **kwargs):
            yield chunk

    async def _maybe_stall(self, messages: list[BaseMessage]) -> None:
        if self.stall_after is not None and len(self.history) >= self.stall_after:
            self.history.append(list(messages))
            await asyncio.Event().wait()


def last_user_text(messages: list[BaseMessage]) -> str:
    """The content of the last message, as the fakes see it."""
    return str(messages[-1].content)


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
    # The call options of each prompt (max_tokens, temperature), in order.
    options: list[dict[str, Any]] = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _call(self, prompt: str, stop=None, run_manager=None, **kwargs: Any) -> str:  # type: ignore[override]
        self.prompts.append(prompt)
        self.options.append(kwargs)
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

    def put_many(self, items: dict[str, str], origins: dict | None = None) -> None:
        self.update(items)
        self.origins.update(origins or {})

    @property
    def origins(self) -> dict:
        """Each stored key's origin (source text and pair), where the engine gave one."""
        return self.__dict__.setdefault("_origins", {})

    def similar(self, texts: list[str], source: str, target: str, most: int) -> dict:
        """Every remembered pair of this language pair sharing a word with each text."""
        from dragoman.chains.translate import terms

        stored = [(o.text, self[key]) for key, o in self.origins.items()
                  if (o.source, o.target) == (source, target)]  # fmt: skip
        return {text: [pair for pair in stored if set(terms(pair[0])) & set(terms(text))][:most]
                for text in texts}  # fmt: skip


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
    "zusammen": "everyone",
}  # fmt: skip
_WORD = re.compile(r"\w+")


def to_english(text: str) -> str:
    """Translate word by word with ENGLISH, in upper case; placeholders stay as they are."""

    def words(run: str) -> str:
        return _WORD.sub(lambda m: ENGLISH.get(m.group().lower(), m.group()).upper(), run)

    return re.sub(r"(</?[a-z]\d+/?>)|([^<]+|<)", lambda m: m.group(1) or words(m.group(2)), text)
