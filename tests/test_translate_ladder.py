"""No wasted model calls: budgets from tokens, no identical retries, a capped ladder, loops cut."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.language_models.llms import LLM
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import (
    ChatGeneration,
    ChatGenerationChunk,
    ChatResult,
    GenerationChunk,
)

from dragoman.chains import ModelProfile
from dragoman.chains.markup.inline import Atom, Pair, Text, drop_invented
from dragoman.chains.translate import TranslateRequest, translate_document
from dragoman.chains.translate.budget import estimate_tokens
from tests.fakes import (
    RecordingChatModel,
    ScriptedLLM,
    fenced,
    last_line_after,
    make_translator,
    to_english,
)

CHAT = ModelProfile(style="chat")
COMPLETION = ModelProfile(style="completion")
SENTENCE = "Mein Rechner verliert ständig die Verbindung zum WLAN, seit dem letzten Update."


def run(translator, text: str, fmt: str = "text"):
    return asyncio.run(translate_document(translator, TranslateRequest(text, "en", "de", fmt)))


def test_budget_comes_from_tokens_not_characters() -> None:
    model = RecordingChatModel(reply=lambda messages: to_english(fenced(messages)))
    run(make_translator(model, CHAT), SENTENCE)
    (options,) = model.options
    tokens = estimate_tokens(SENTENCE)
    assert options["max_tokens"] == 2 * tokens + 8  # not 32 + 2 per character (about 200)
    assert options["max_tokens"] < len(SENTENCE)


def test_a_hopeless_segment_without_tags_costs_two_different_calls() -> None:
    model = ScriptedLLM(reply=lambda prompt: " I'm sorry, I cannot translate that.")
    result = run(make_translator(model, COMPLETION), SENTENCE)
    assert result.status == "failed"
    # The first answer at the preset's temperature, one retry sampled: never the same request
    # twice, and no "per text run" fallback, which would be the first request again.
    assert len(model.prompts) == 2
    first, retry = model.options
    assert (model.prompts[0], first.get("temperature")) != (model.prompts[1], retry["temperature"])
    assert retry["temperature"] == 0.5


def test_a_segment_out_of_a_batch_is_retried_alone_at_the_same_temperature() -> None:
    def reply(messages: list[BaseMessage]) -> str:
        lines = fenced(messages).split("\n")
        if len(lines) > 1:  # the batch: a refusal for line 2
            return "\n".join(
                f"[{n}] " + (to_english(line[4:]) if n != 2 else "I'm sorry, I can't.")
                for n, line in enumerate(lines, start=1)
            )
        return "I'm sorry, I can't."

    model = RecordingChatModel(reply=reply)
    html = (
        f"<p>Guten Morgen zusammen!</p><p>{SENTENCE}</p><p>Hallo Welt, wie geht es dir heute?</p>"
    )
    result = run(make_translator(model, CHAT), html, fmt="html")
    assert result.counts == {"ok": 2, "failed": 1}
    # The batch, then the segment alone; no fallback "per text run", which would send that again.
    assert len(model.history) == 2
    assert "temperature" not in model.options[1] and fenced(model.history[1]) == SENTENCE


def test_the_whole_ladder_stays_within_its_token_cap() -> None:
    text = "Bitte " + " ".join(f"<b>Wort{n}</b> und" for n in range(12)) + " Ende."
    model = RecordingChatModel(reply=lambda messages: "I'm sorry, I can't.")
    translator = make_translator(model, CHAT, {"ladder_cost": 2.5})
    run(translator, f"<p>{text}</p>", fmt="html")
    budgets = [options["max_tokens"] for options in model.options]
    assert sum(budgets) <= 2.5 * budgets[0]
    runs = 15  # Bitte, Wort0 … Wort11, und, Ende.
    assert 2 < len(budgets) < 2 + runs  # the per-run fallback stopped at the cap


class EndlessLoop(BaseChatModel):
    """A streaming chat model that repeats one word until it is stopped; counts its chunks."""

    sent: int = 0

    @property
    def _llm_type(self) -> str:
        return "endless"

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs: Any):
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content="again " * 5000))])

    async def _astream(
        self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs: Any
    ) -> AsyncIterator[ChatGenerationChunk]:
        for _ in range(5000):
            self.sent += 1
            yield ChatGenerationChunk(message=AIMessageChunk(content="again "))


def test_a_looping_answer_is_cut_off_as_it_streams() -> None:
    model = EndlessLoop()
    translator = make_translator(model, CHAT)
    result = run(translator, SENTENCE)
    assert result.status == "failed"
    assert translator.usage.stopped_early == translator.calls == 2
    assert model.sent <= 2 * 10  # each answer stopped after a few repeats, not 5,000 chunks


class WordStreamer(LLM):
    """A streaming completion model that answers reply(prompt) a word at a time; counts words."""

    reply: Callable[[str], str]
    sent: int = 0

    @property
    def _llm_type(self) -> str:
        return "word-streamer"

    def _call(self, prompt: str, stop=None, run_manager=None, **kwargs: Any) -> str:  # type: ignore[override]
        return self.reply(prompt)

    def _stream(self, prompt: str, stop=None, run_manager=None, **kwargs: Any):  # type: ignore[override]
        for word in re.findall(r"\s*\S+", self.reply(prompt)):
            self.sent += 1
            yield GenerationChunk(text=word)


def test_an_answer_copying_its_foreign_source_is_cut_off_early() -> None:
    source = (
        "Dr. Ehud Ur, Professor für Medizin an der Dalhousie University in Halifax, Nova Scotia, "
        "gab zu bedenken, dass die Forschungsarbeit noch in den Kinderschuhen stecke."
    )
    model = WordStreamer(reply=lambda prompt: " " + last_line_after(prompt, "German"))
    translator = make_translator(model, COMPLETION)
    result = run(translator, source)
    assert (result.status, result.reasons, result.text) == ("failed", ["left untranslated"], source)
    assert translator.calls == 2 and translator.usage.stopped_early == 2
    words = len(source.split())
    assert model.sent <= 2 * 10 < 2 * words  # each copy stopped after a few words


def test_an_answer_that_starts_like_its_source_in_the_target_language_is_kept() -> None:
    source = "„Microsoft Visual Studio Code Extension Marketplace“ ist ab heute für alle offen."
    answer = "„Microsoft Visual Studio Code Extension Marketplace“ is open to everyone from today."
    model = WordStreamer(reply=lambda prompt: " " + answer)
    translator = make_translator(model, COMPLETION)
    result = run(translator, source)
    assert (result.status, result.text) == ("ok", answer)
    assert translator.usage.stopped_early == 0


def test_a_placeholder_copied_from_the_examples_is_dropped_without_another_call() -> None:
    # Gemma 3 270M copies the examples' link placeholder into sentences that have no link.
    model = ScriptedLLM(reply=lambda prompt: " He built a doorbell with <a1>Wi-Fi</a1>.")
    result = run(make_translator(model, COMPLETION), "Er baute eine Türklingel mit WLAN.")
    assert (result.text, result.status) == ("He built a doorbell with Wi-Fi.", "repaired")
    assert len(model.prompts) == 1


def test_placeholders_the_source_has_are_kept_and_invented_ones_dropped() -> None:
    model = ScriptedLLM(reply=lambda prompt: " See <a1>the <b2>new</b2> page</a1> <x3/>.")
    result = run(
        make_translator(model, COMPLETION), 'Siehe <a href="/n">die neue Seite</a>.', "html"
    )
    assert result.text == 'See <a href="/n">the new page</a>.'
    assert result.status == "repaired" and len(model.prompts) == 1


@pytest.mark.parametrize(
    ("answer", "cleaned"),
    [
        ("page</a1> <x3/>.", "page</a1>."),
        ("with <x3/> the", "with the"),
        ("end <x3/>", "end"),
        ("word<x3/>, more", "word, more"),
        ("keep <x2/> here", "keep <x2/> here"),  # the source's own atom stays, spaces and all
        ("a <b4>bold</b4> word", "a bold word"),  # an invented pair keeps what it wraps
    ],
)
def test_an_invented_atom_takes_its_space_with_it(answer: str, cleaned: str) -> None:
    source = [Pair(1, "a", [Text("x")]), Text(" "), Atom(2)]
    assert drop_invented(answer, source)[0] == cleaned
