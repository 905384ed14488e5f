"""Proofreading end to end with fake models: grounded offsets, dropped hallucinations, formats."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dragoman.chains import InputError, ModelProfile
from dragoman.chains.proofread import (
    Layers,
    ProofreadOptions,
    ProofreadResult,
    RuleFilter,
    proofread,
    proofread_stream,
)
from dragoman.chains.proofread.grammar import Corrector
from tests.fakes import RecordingChatModel, ScriptedLLM, last_line_after

FIXES = {"go": "goes", "days": "day", "has": "have", "tomorow": "tomorrow"}


def fix_words(sentence: str) -> str:
    return re.sub(r"\w+", lambda m: FIXES.get(m.group(), m.group()), sentence)


def json_corrector(answer_for=fix_words, original_for=lambda s: s) -> RecordingChatModel:
    def reply(messages):
        lines = re.findall(r"^\[(\d+)\] (.*)$", str(messages[-1].content), re.M)
        return json.dumps(
            {
                "sentences": [
                    {"id": int(n), "original": original_for(s), "corrected": answer_for(s)}
                    for n, s in lines
                ]
            }
        )

    return RecordingChatModel(reply=reply)


@pytest.fixture(scope="module")
def tools(nlp, linter, annotator):
    """The real deterministic layers: spaCy, Harper and ERRANT."""
    return nlp, linter, annotator


def run(
    text,
    fmt,
    tools,
    model=None,
    profile=ModelProfile(style="chat"),  # noqa: B008 - frozen dataclass, safe to share
    checks=("grammar", "passive_voice", "style"),
    rules=RuleFilter(),  # noqa: B008 - frozen dataclass, safe to share
    dictionary=frozenset(),
):
    corrector = Corrector(model, profile) if model is not None else None
    layers = Layers(*tools, corrector)
    options = ProofreadOptions(tuple(checks), rules, "en-US", dictionary)
    return asyncio.run(proofread(text, fmt, options, layers)), corrector


def test_grammar_issues_point_into_the_input(tools) -> None:
    text = "Hello.  She go to school every days. The budget was approved by the board."
    result, corrector = run(text, "text", tools, json_corrector())
    got = [(i.rule, text[i.offset : i.offset + i.length], i.replacements) for i in result.issues]
    # Harper flags "go" itself, so the model's overlapping edit gives way; "days" is the model's.
    assert ("PRONOUN_VERB_AGREEMENT", "go", ("goes",)) in got
    assert ("MODEL_NOUN_NUM", "days", ("day",)) in got
    assert sum(i.offset == text.index("go ") for i in result.issues) == 1
    assert ("WHITESPACE_RULE", "  ", (" ",)) in got
    assert ("PASSIVE_VOICE_BY_AGENT", "was approved", ()) in got
    assert all(i.text == text[i.offset : i.offset + i.length] for i in result.issues)
    assert next(i for i in result.issues if i.from_model).sentence == "She go to school every days."
    assert result.sentences == 3 and corrector.calls == 2  # one grammar batch, one active rewrite


def test_answers_about_other_sentences_are_dropped_and_counted(tools) -> None:
    model = json_corrector(
        original_for=lambda s: "Completely different sentence that was never sent."
    )
    result, _ = run("She go to school every days. He has went home.", "text", tools, model)
    assert [i for i in result.issues if i.from_model] == []
    assert result.dropped_ungrounded == 2


def test_long_texts_go_in_bounded_batches(tools) -> None:
    text = " ".join(f"Sentence number {n} is here." for n in range(30))
    model = json_corrector()
    result, _ = run(text, "text", tools, model, checks=("grammar",))
    assert result.sentences == 30
    assert len(model.history) == 4  # batches of at most 8 sentences
    assert all(len(re.findall(r"^\[\d+\]", str(m[-1].content), re.M)) <= 8 for m in model.history)


def test_base_models_correct_one_sentence_per_call(tools) -> None:
    model = ScriptedLLM(reply=lambda prompt: " " + fix_words(last_line_after(prompt, "Original")))
    text = "She go to school. I has a dog."
    result, _ = run(
        text, "text", tools, model, ModelProfile(style="completion"), checks=("grammar",)
    )
    assert [(text[i.offset : i.offset + i.length], i.replacements[0]) for i in result.issues] == [
        ("go", "goes"),
        ("has", "have"),
    ]
    assert len(model.prompts) == 2 and all(p.endswith("Corrected:") for p in model.prompts)


def test_active_rewrite_only_when_it_keeps_the_agent(tools) -> None:
    def reply(prompt: str) -> str:
        return (
            " The board approved the budget."
            if "board" in prompt.split("Passive: ")[-1]
            else " Someone did it."
        )

    model = ScriptedLLM(reply=reply)
    text = "The budget was approved by the board. The cake was eaten by the kids."
    result, _ = run(
        text, "text", tools, model, ModelProfile(style="completion"), checks=("passive_voice",)
    )
    messages = [i.message for i in result.issues]
    assert "Active: “The board approved the budget.”" in messages[0]
    assert "Active:" not in messages[1]


def test_html_markdown_and_email_offsets_point_into_the_original(tools) -> None:
    cases = {
        "html": "<p>I saw <b>the the</b> cat. <code>a a</code></p><p>It was  done.</p>",
        "markdown": "# Notes\n\nI saw *the the* cat and `a a` code.\n",
        "email": "Hi,\n\nI saw the the cat.\n\n> quoted the the text\n-- \nsig the the\n",
    }
    for fmt, text in cases.items():
        result, _ = run(text, fmt, tools)
        repeated = [i for i in result.issues if i.rule == "ENGLISH_WORD_REPEAT_RULE"]
        assert [text[i.offset : i.offset + i.length] for i in repeated] == ["the the"], fmt


words = st.sampled_from(
    ["the", "a", "an", "cat", "was", "eaten", "by", "go", "days", "I", "has", "😀", "über", "20"]
)
separators = st.sampled_from([" ", "  ", ", ", ". ", "\n", ",, ", "... ", "\n\n"])
texts = st.lists(st.tuples(words, separators), min_size=1, max_size=40).map(
    lambda p: "".join(w + s for w, s in p)
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=texts,
    answers=st.lists(st.text(max_size=60), min_size=1, max_size=5),
    fmt=st.sampled_from(["text", "email", "markdown"]),
)
def test_no_issue_ever_points_outside_the_text_or_at_other_text(tools, text, answers, fmt) -> None:
    replies = iter(answers * 50)
    model = json_corrector(answer_for=lambda s: next(replies, s))
    result, _ = run(text, fmt, tools, model)
    for issue in result.issues:
        assert issue.offset >= 0 and issue.length > 0 and issue.offset + issue.length <= len(text)
        assert text[issue.offset : issue.offset + issue.length] == issue.text


def test_model_edits_are_typed_by_errant(tools) -> None:
    text = "The results of the test was good. There is many reasons."
    fixes = {"was": "were", "is": "are"}
    model = json_corrector(answer_for=lambda s: re.sub(r"\w+", lambda m: fixes.get(m[0], m[0]), s))
    result, _ = run(text, "text", tools, model, checks=("grammar",))
    typed = {(i.rule, i.text, i.rule_category) for i in result.issues if i.from_model}
    assert ("MODEL_VERB_SVA", "was", "GRAMMAR") in typed
    assert any(i.text == "is" for i in result.issues)  # Harper's or the model's, once
    assert len([i for i in result.issues if i.text == "is"]) == 1


def test_rule_options_change_what_is_shown(tools) -> None:
    text = "I recieve the the letter yesterday. " + "This sentence goes on and on " * 12 + "."

    def rules(**options) -> set[str]:
        result, _ = run(text, "text", tools, rules=RuleFilter.parse(**options))
        return {i.rule for i in result.issues}

    everything = rules()
    assert {"MORFOLOGIK_RULE_EN_US", "ENGLISH_WORD_REPEAT_RULE"} <= everything
    assert "TOO_LONG_SENTENCE" not in everything  # picky only
    assert "TOO_LONG_SENTENCE" in rules(level="picky")
    assert "TOO_LONG_SENTENCE" in rules(enabled_rules="TOO_LONG_SENTENCE")
    assert "MORFOLOGIK_RULE_EN_US" not in rules(disabled_categories="TYPOS")
    assert rules(disabled_rules="ENGLISH_WORD_REPEAT_RULE") == everything - {
        "ENGLISH_WORD_REPEAT_RULE"
    }
    assert rules(enabled_rules="ENGLISH_WORD_REPEAT_RULE", enabled_only=True) == {
        "ENGLISH_WORD_REPEAT_RULE"
    }
    assert rules(enabled_categories="TYPOS", enabled_only=True) == {"MORFOLOGIK_RULE_EN_US"}


def test_enabled_only_without_rules_is_an_input_error() -> None:
    with pytest.raises(InputError, match="enabledOnly"):
        RuleFilter.parse(enabled_only=True)
    with pytest.raises(InputError, match="level"):
        RuleFilter.parse(level="pedantic")


def test_personal_dictionary_words_are_never_misspellings(tools) -> None:
    text = "Please zorbify the flurbix tomorow."
    spelling = {"zorbify": "zorbifies", "flurbix": "flurbixes", "tomorow": "tomorrow"}
    model = json_corrector(
        answer_for=lambda s: re.sub(r"\w+", lambda m: spelling.get(m[0], m[0]), s)
    )
    result, _ = run(text, "text", tools, model, dictionary=frozenset({"zorbify", "flurbix"}))
    assert {i.text for i in result.issues} == {"tomorow"}
    result, _ = run(text, "text", tools)
    assert {"zorbify", "flurbix", "tomorow"} <= {i.text for i in result.issues}


def test_a_long_document_streams_rules_first_then_the_model_with_exact_offsets(tools) -> None:
    paragraphs = [
        f"Paragraph {n} starts here. She go to school every days. I saw the the cat."
        for n in range(40)
    ]
    text = "\n\n".join(paragraphs)
    corrector = Corrector(json_corrector(), ModelProfile(style="chat"))
    layers = Layers(*tools, corrector)
    result = ProofreadResult()

    async def collect() -> list[list]:
        stream = proofread_stream(text, "text", ProofreadOptions(), layers, result)
        return [batch async for batch in stream]

    batches = asyncio.run(collect())
    assert not any(i.from_model for i in batches[0])
    assert all(i.from_model for batch in batches[1:] for i in batch)
    assert len(batches) == 1 + len(paragraphs)  # one batch per paragraph from the model
    issues = [i for batch in batches for i in batch]
    assert sum(i.rule == "ENGLISH_WORD_REPEAT_RULE" for i in issues) == len(paragraphs)
    assert sum(i.text == "days" and i.from_model for i in issues) == len(paragraphs)
    assert all(text[i.offset : i.offset + i.length] == i.text for i in issues)
    assert result.sentences == 3 * len(paragraphs)


def test_every_corrector_call_carries_the_profiles_request_fields() -> None:
    """The preset's samplers and the backend's body fields go with proofreading's calls too,
    corrections and active rewrites alike, as with translation's."""
    model = json_corrector()
    body = {"extra_body": {"cache_prompt": True, "top_k": 20, "lang": "$target"}}
    corrector = Corrector(model, ModelProfile(style="chat", request_kwargs=body))
    asyncio.run(corrector.correct(["She go to school.", "It were late."]))
    asyncio.run(corrector.rewrite_active("The cake was eaten by Tom.", "Tom"))
    assert len(model.options) == 2
    for options in model.options:
        assert options["extra_body"] == {"cache_prompt": True, "top_k": 20, "lang": "en"}
