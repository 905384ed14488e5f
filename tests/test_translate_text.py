"""The plain-text translation chain prompts each model in its own style."""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake import FakeListLLM
from langchain_core.messages import HumanMessage, SystemMessage

from chains.errors import UnsupportedLanguage
from chains.translate_text import (
    PromptStyle,
    build_prompt,
    build_translate_text_chain,
    few_shot_prefix,
    translate_lines,
)
from tests.fakes import RecordingChatModel, last_user_text

REQUEST = {"text": "Guten Morgen!", "source": "de", "target": "en"}


def test_chat_style_sends_system_and_fenced_user_turn() -> None:
    model = RecordingChatModel(reply=lambda messages: " Good morning! \n")
    chain = build_translate_text_chain(model, PromptStyle("chat"))
    assert chain.invoke(REQUEST) == "Good morning!"
    system, user = model.history[0]
    assert isinstance(system, SystemMessage) and "from German to English" in system.content
    assert isinstance(user, HumanMessage)
    assert user.content == '<source lang="de">\nGuten Morgen!\n</source>'


def test_chat_without_system_role_folds_instructions_into_first_user_turn() -> None:
    model = RecordingChatModel(reply=lambda messages: "Good morning!")
    build_translate_text_chain(model, PromptStyle("chat", system_role=False)).invoke(REQUEST)
    (only,) = model.history[0]
    assert isinstance(only, HumanMessage)
    assert only.content.startswith("You are a translation engine.")
    assert only.content.endswith("</source>")


def test_completion_style_uses_identical_few_shot_prefix_on_every_call() -> None:
    prompt = build_prompt(PromptStyle("completion"))
    first = prompt.invoke(REQUEST).to_string()
    second = prompt.invoke({**REQUEST, "text": "Wie geht's?"}).to_string()
    prefix = few_shot_prefix("de", "en")
    assert first.startswith(prefix) and second.startswith(prefix)
    assert (
        "German: Danke für die schnelle Antwort!\nEnglish: Thanks for the quick reply!\n\n"
        in prefix
    )
    assert first.endswith("German: Guten Morgen!\nEnglish:")


def test_pair_without_examples_gets_no_prefix() -> None:
    assert few_shot_prefix("de", "eo") == ""


def test_completion_chain_returns_model_text() -> None:
    chain = build_translate_text_chain(
        FakeListLLM(responses=[" Good morning!"]), PromptStyle("completion")
    )
    assert chain.invoke(REQUEST) == "Good morning!"


def test_unknown_language_raises_typed_error() -> None:
    chain = build_translate_text_chain(FakeListLLM(responses=["x"]), PromptStyle("completion"))
    with pytest.raises(UnsupportedLanguage, match="'xx'"):
        chain.invoke({**REQUEST, "target": "xx"})


def test_translate_lines_keeps_layout_and_detects_source() -> None:
    model = RecordingChatModel(
        reply=lambda messages: last_user_text(messages).split("\n")[1].upper()
    )
    chain = build_translate_text_chain(model, PromptStyle("chat"))
    text = "Das ist ein Satz auf Deutsch.\n\n   Noch ein Satz hier.  \n"
    out = translate_lines(text, "auto", "en", chain)
    assert out == "DAS IST EIN SATZ AUF DEUTSCH.\n\n   NOCH EIN SATZ HIER.  \n"
    assert 'lang="de"' in last_user_text(model.history[0])


def test_translate_lines_leaves_text_already_in_target_language() -> None:
    model = RecordingChatModel(reply=lambda messages: "should not be used")
    chain = build_translate_text_chain(model, PromptStyle("chat"))
    assert translate_lines("Hello there.\n", "en", "en", chain) == "Hello there.\n"
    assert model.history == []
