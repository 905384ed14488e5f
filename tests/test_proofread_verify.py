"""A language model as critic: model edits and spelling flags are shown only when it prefers them."""

from __future__ import annotations

import asyncio
import re

import pytest

from dragoman.chains import ModelProfile
from dragoman.chains.proofread import (
    Layers,
    ProofreadOptions,
    ProofreadResult,
    Verifier,
    proofread,
    proofread_stream,
)
from dragoman.chains.proofread.grammar import Corrector
from dragoman.services.errors import ConfigError
from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from tests.test_proofread_check import json_corrector

OPTIONS = ProofreadOptions(checks=("grammar", "style"))


class WordScorer:
    """Scores a text by the words it likes and dislikes; records what it was asked."""

    def __init__(self, liked: dict[str, float], longest: int = 10_000) -> None:
        self.liked = liked
        self.longest = longest
        self.asked: list[tuple[str, list[str]]] = []

    def _score(self, text: str) -> float:
        return sum(self.liked.get(w.lower(), 0.0) for w in re.findall(r"\w+", text))

    def gains(self, original: str, edited: list[str]) -> list[float | None]:
        self.asked.append((original, edited))
        if len(original) > self.longest:
            return [None] * len(edited)
        return [self._score(e) - self._score(original) for e in edited]


@pytest.fixture(scope="module")
def tools(nlp, linter, annotator):
    """The real deterministic layers: spaCy, Harper and ERRANT."""
    return nlp, linter, annotator


def check(text: str, tools, scorer: WordScorer, margin: float = 2.0) -> list:
    corrector = Corrector(json_corrector(), ModelProfile(style="chat"))
    layers = Layers(*tools, corrector, Verifier(scorer, margin))
    return asyncio.run(proofread(text, "text", OPTIONS, layers)).issues


def shown(issues: list) -> set[tuple[str, str]]:
    return {(i.text, i.replacements[0] if i.replacements else "") for i in issues}


def test_a_model_edit_shows_only_when_the_scorer_prefers_it_by_the_margin(tools) -> None:
    text = "We walk to school every days."
    assert ("days", "day") in shown(check(text, tools, WordScorer({"day": 2.5})))
    assert ("days", "day") not in shown(check(text, tools, WordScorer({"day": 1.5})))
    assert ("days", "day") in shown(check(text, tools, WordScorer({"day": 1.5}), margin=1.0))


def test_the_scorer_compares_the_sentence_with_and_without_each_edit(tools) -> None:
    scorer = WordScorer({"day": 3})
    check("It rained. We walk to school every days.", tools, scorer)
    assert ("We walk to school every days.", ["We walk to school every day."]) in scorer.asked


def test_a_misspelling_shows_when_one_of_its_suggestions_wins(tools) -> None:
    text = "The parcel comes tomorow."
    assert ("tomorow", "tomorrow") in shown(check(text, tools, WordScorer({"tomorrow": 5})))
    # Jargon is flagged only when the scorer finds one of its suggestions likelier than it...
    flagged = check("I installed kubectl yesterday.", tools, WordScorer({"kubectl": -5}))
    assert [issue.text for issue in flagged] == ["kubectl"] and flagged[0].replacements
    # ... and not when none is: then it is a word the dictionary lacks, not a misspelling.
    assert not check("I installed kubectl yesterday.", tools, WordScorer({}))
    assert not check(text, tools, WordScorer({}))


def test_a_sentence_too_long_to_score_keeps_its_issues(tools) -> None:
    text = "The parcel comes tomorow and we walk to school every days."
    assert {("tomorow", "tomorrow"), ("days", "day")} <= shown(
        check(text, tools, WordScorer({}, longest=10))
    )


def test_other_rules_are_not_judged_and_come_first(tools) -> None:
    text = "I saw the the cat. The parcel comes tomorow."
    corrector = Corrector(json_corrector(), ModelProfile(style="chat"))
    layers = Layers(*tools, corrector, Verifier(WordScorer({"tomorrow": 5}), 2.0))

    async def collect() -> list[list]:
        stream = proofread_stream(text, "text", OPTIONS, layers, ProofreadResult())
        return [batch async for batch in stream]

    first, second, *_ = asyncio.run(collect())
    assert [i.rule for i in first] == ["ENGLISH_WORD_REPEAT_RULE"]  # no verdict needed
    assert [i.text for i in second] == ["tomorow"]


def test_runtime_verifies_with_the_presets_critic_unless_told_otherwise(tmp_path) -> None:
    def runtime(**settings) -> Runtime:
        fake = json_corrector()
        return Runtime(
            Settings(data_dir=tmp_path, **settings),
            model_factory=lambda *_: fake,
            scorer_factory=lambda resolved, _: WordScorer({resolved.preset_name: 1}),
        )

    verifier = runtime(verify_margin=3.5).verifier()
    assert verifier is not None and verifier.margin == 3.5
    assert runtime().models.verifying.preset_name == "embedded-gemma3-270m"  # type: ignore[union-attr]
    assert runtime(proofread_verifier="off").verifier() is None
    assert runtime(backend="pseudo").verifier() is None  # no language model proofreads there
    assert runtime(proofread_preset="mistral-nemo").verifier() is None
    with pytest.raises(ConfigError, match="in-process"):
        runtime(proofread_verifier="mistral-nemo")
    with pytest.raises(ConfigError, match="unknown verifier preset"):
        runtime(proofread_verifier="nope")


def test_injected_models_without_a_scorer_load_no_real_model(tmp_path) -> None:
    fake = json_corrector()
    runtime = Runtime(Settings(data_dir=tmp_path), model_factory=lambda *_: fake)
    assert runtime.models.verifying is not None and runtime.verifier() is None


def test_a_held_issue_outside_every_sentence_is_kept() -> None:
    from dataclasses import dataclass

    from dragoman.chains.proofread.issues import Issue
    from dragoman.chains.proofread.verify import verify_held

    @dataclass
    class Line:
        region: int
        start: int
        end: int
        text: str

    inside = Issue(4, 4, "grammar", "SPELL", "typo", ("word",), rule_category="TYPOS")
    outside = Issue(30, 3, "grammar", "SPELL", "typo", ("the",), rule_category="TYPOS")
    held = [(0, inside), (0, outside)]
    kept = asyncio.run(
        verify_held(held, [Line(0, 0, 10, "One wrod.")], Verifier(WordScorer({}), 2))
    )
    assert kept == [(0, outside)]
