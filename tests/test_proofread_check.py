"""Proofreading end to end with fake models: grounded offsets, dropped hallucinations, formats."""

from __future__ import annotations

import asyncio
import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dragoman.chains import ModelProfile
from dragoman.chains.proofread.check import proofread
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


def run(
    text,
    fmt,
    nlp,
    model=None,
    profile=ModelProfile(style="chat"),  # noqa: B008 - frozen dataclass, safe to share
    checks=("grammar", "passive_voice", "style"),
):
    corrector = Corrector(model, profile) if model is not None else None
    return asyncio.run(proofread(text, fmt, list(checks), nlp, corrector)), corrector


def test_grammar_issues_point_into_the_input(nlp) -> None:
    text = "Hello.  She go to school every days. The budget was approved by the board."
    result, corrector = run(text, "text", nlp, json_corrector())
    got = [(i.rule, text[i.offset : i.offset + i.length], i.replacements) for i in result.issues]
    assert ("LLM_GRAMMAR", "go", ("goes",)) in got and ("LLM_GRAMMAR", "days", ("day",)) in got
    assert ("DOUBLE_SPACE", "  ", (" ",)) in got
    assert ("PASSIVE_VOICE_BY_AGENT", "was approved", ()) in got
    assert all(i.text == text[i.offset : i.offset + i.length] for i in result.issues)
    assert (
        next(i for i in result.issues if i.rule == "LLM_GRAMMAR").sentence
        == "She go to school every days."
    )
    assert result.sentences == 3 and corrector.calls == 2  # one grammar batch, one active rewrite


def test_answers_about_other_sentences_are_dropped_and_counted(nlp) -> None:
    model = json_corrector(
        original_for=lambda s: "Completely different sentence that was never sent."
    )
    result, _ = run("She go to school every days. He has went home.", "text", nlp, model)
    assert [i for i in result.issues if i.rule == "LLM_GRAMMAR"] == []
    assert result.dropped_ungrounded == 2


def test_long_texts_go_in_bounded_batches(nlp) -> None:
    text = " ".join(f"Sentence number {n} is here." for n in range(30))
    model = json_corrector()
    result, _ = run(text, "text", nlp, model, checks=("grammar",))
    assert result.sentences == 30
    assert len(model.history) == 4  # batches of at most 8 sentences
    assert all(len(re.findall(r"^\[\d+\]", str(m[-1].content), re.M)) <= 8 for m in model.history)


def test_base_models_correct_one_sentence_per_call(nlp) -> None:
    model = ScriptedLLM(reply=lambda prompt: " " + fix_words(last_line_after(prompt, "Original")))
    text = "She go to school. I has a dog."
    result, _ = run(text, "text", nlp, model, ModelProfile(style="completion"), checks=("grammar",))
    assert [(text[i.offset : i.offset + i.length], i.replacements[0]) for i in result.issues] == [
        ("go", "goes"),
        ("has", "have"),
    ]
    assert len(model.prompts) == 2 and all(p.endswith("Corrected:") for p in model.prompts)


def test_active_rewrite_only_when_it_keeps_the_agent(nlp) -> None:
    def reply(prompt: str) -> str:
        return (
            " The board approved the budget."
            if "board" in prompt.split("Passive: ")[-1]
            else " Someone did it."
        )

    model = ScriptedLLM(reply=reply)
    text = "The budget was approved by the board. The cake was eaten by the kids."
    result, _ = run(
        text, "text", nlp, model, ModelProfile(style="completion"), checks=("passive_voice",)
    )
    messages = [i.message for i in result.issues]
    assert "Active: “The board approved the budget.”" in messages[0]
    assert "Active:" not in messages[1]


def test_html_markdown_and_email_offsets_point_into_the_original(nlp) -> None:
    cases = {
        "html": "<p>I saw <b>the the</b> cat. <code>a a</code></p><p>It was  done.</p>",
        "markdown": "# Notes\n\nI saw *the the* cat and `a a` code.\n",
        "email": "Hi,\n\nI saw the the cat.\n\n> quoted the the text\n-- \nsig the the\n",
    }
    for fmt, text in cases.items():
        result, _ = run(text, fmt, nlp)
        repeated = [i for i in result.issues if i.rule == "REPEATED_WORD"]
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
def test_no_issue_ever_points_outside_the_text_or_at_other_text(nlp, text, answers, fmt) -> None:
    replies = iter(answers * 50)
    model = json_corrector(answer_for=lambda s: next(replies, s))
    result, _ = run(text, fmt, nlp, model)
    for issue in result.issues:
        assert issue.offset >= 0 and issue.length > 0 and issue.offset + issue.length <= len(text)
        assert text[issue.offset : issue.offset + issue.length] == issue.text
