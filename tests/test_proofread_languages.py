"""The model's corrections beyond English, with fake models: German and French sentences go to
their own prompts, edits are aligned word by word with the same guards and the same language-model
check, and a language without prompts gets none."""

from __future__ import annotations

import asyncio
import json
import re

from dragoman.chains import ModelProfile
from dragoman.chains.proofread import Layers, ProofreadOptions, proofread
from dragoman.chains.proofread.diff import WordAligner, diff_edits
from dragoman.chains.proofread.grammar import Corrector
from dragoman.services.nlp import sentence_splitter
from dragoman.services.spelling import dictionaries
from tests.fakes import RecordingChatModel, ScriptedLLM
from tests.test_proofread_verify import WordScorer

FIXES = {"spielt": "spielen", "meine": "meinen", "joue": "jouent", "allé": "allée"}


def _fix(sentence: str) -> str:
    return re.sub(r"\w+", lambda m: FIXES.get(m.group(), m.group()), sentence)


def _chat() -> RecordingChatModel:
    def reply(messages):
        lines = re.findall(r"^\[(\d+)\] (.*)$", str(messages[-1].content), re.M)
        answer = [{"id": int(n), "original": s, "corrected": _fix(s)} for n, s in lines]
        return json.dumps({"sentences": answer})

    return RecordingChatModel(reply=reply)


def _run(nlp, linter, text, language, model, profile, verifier=None):
    corrector = Corrector(model, profile)
    layers = Layers(
        nlp, linter, None, corrector, verifier,
        speller=dictionaries().speller, splitter=sentence_splitter,
    )  # fmt: skip
    options = ProofreadOptions(language=language)
    return asyncio.run(proofread(text, "text", options, layers))


def test_german_and_french_go_to_their_own_prompts(nlp, linter) -> None:
    text = "Die Kinder spielt im Garten. Ich habe mit meine Kollegen gesprochen."
    model = _chat()
    result = _run(nlp, linter, text, "de-DE", model, ModelProfile(style="chat"))
    found = [(text[i.offset : i.offset + i.length], i.replacements, i.rule) for i in result.issues]
    assert found == [("spielt", ("spielen",), "MODEL_MORPH"), ("meine", ("meinen",), "MODEL_MORPH")]
    assert all(i.from_model for i in result.issues)
    assert "proofreader of German" in str(model.history[0][0].content)
    french = "Les enfants joue dans le jardin."
    model = _chat()
    result = _run(nlp, linter, french, "fr", model, ModelProfile(style="chat"))
    assert [french[i.offset : i.offset + i.length] for i in result.issues] == ["joue"]
    assert "proofreader of French" in str(model.history[0][0].content)


def test_a_base_model_gets_the_languages_own_examples(nlp, linter) -> None:
    def reply(prompt: str) -> str:
        return " " + _fix(prompt.rsplit("Original: ", 1)[1].split("\n")[0])

    model = ScriptedLLM(reply=reply)
    text = "Die Kinder spielt im Garten."
    result = _run(nlp, linter, text, "de-DE", model, ModelProfile(style="completion"))
    assert [text[i.offset : i.offset + i.length] for i in result.issues] == ["spielt"]
    assert model.prompts[-1].endswith("Korrigiert:") and "Korrigiere Grammatik" in model.prompts[-1]


def test_a_language_without_prompts_gets_no_model_call(nlp, linter) -> None:
    model = _chat()
    text = "Los niños juega en el jardín con sus amigos."
    result = _run(nlp, linter, text, "es", model, ModelProfile(style="chat"))
    assert model.history == [] and result.issues == []
    assert not Corrector(model, ModelProfile(style="chat")).speaks("es")
    assert Corrector(model, ModelProfile(style="chat")).speaks("de-AT")


def test_a_preset_can_leave_a_language_to_spelling_alone(nlp, linter, tmp_path) -> None:
    """The embedded model corrects English only (its German edits were false alarms, §11)."""
    from dragoman.services.runtime import Runtime
    from dragoman.services.settings import Settings

    model = _chat()
    english_only = ModelProfile(style="chat", proofreads=frozenset({"en"}))
    text = "Die Kinder spielt im Garten."
    assert _run(nlp, linter, text, "de-DE", model, english_only).issues == []
    assert model.history == []
    runtime = Runtime(Settings(data_dir=tmp_path, warm_up=False), model_factory=lambda *_: model)
    assert runtime.models.profile("proofread").proofreads == frozenset({"en"})
    assert not runtime.corrector().speaks("de-DE") and runtime.corrector().speaks("en-GB")


def test_the_language_model_must_prefer_each_edit(nlp, linter) -> None:
    from dragoman.chains.proofread import Verifier

    text = "Die Kinder spielt im Garten. Ich habe mit meine Kollegen gesprochen."
    scorer = WordScorer({"spielen": 5})  # prefers one fix, not the other
    verifier = Verifier(scorer, 2.0)
    result = _run(nlp, linter, text, "de-DE", _chat(), ModelProfile(style="chat"), verifier)
    assert [text[i.offset : i.offset + i.length] for i in result.issues] == ["spielt"]


def test_rewrites_names_numbers_and_negation_are_refused() -> None:
    aligner = WordAligner()
    original = "Am 3. Mai hat Anna den Bericht nicht gelesen."
    assert diff_edits(aligner, original, "Am 4. Mai hat Anna den Bericht nicht gelesen.") == []
    assert diff_edits(aligner, original, "Am 3. Mai hat Maria den Bericht nicht gelesen.") == []
    assert diff_edits(aligner, original, "Am 3. Mai hat Anna den Bericht gelesen.") == []
    assert diff_edits(aligner, original, "Heute scheint überall die Sonne, sagt man.") is None
    (edit,) = diff_edits(aligner, "Sie hat den Bericht gelessen.", "Sie hat den Bericht gelesen.")
    assert (edit.replacement, edit.type) == ("gelesen", "R:MORPH")
