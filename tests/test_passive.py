"""Passive voice from the dependency parse, measured against a be + participle regex."""

from __future__ import annotations

import csv
import re

import pytest

from dragoman.chains.proofread.parsing import passive_docs
from dragoman.chains.proofread.passive import find_passives
from tests.corpus import CORPUS

# The baseline regex checkers use (write-good, Vale): a form of "be" and a participle.
_IRREGULAR = (
    "been|born|done|made|given|taken|seen|known|written|shown|found|told|said|held|brought|bought|"
    "built|caught|chosen|driven|eaten|fallen|felt|forgotten|gotten|hidden|hit|hurt|kept|left|lost|"
    "meant|met|paid|put|read|run|sent|set|shut|sold|spent|spoken|stolen|taught|thought|thrown|"
    "understood|won|worn|broken|begun|drawn|grown|beaten|cut|fed|fought|forgiven|frozen|hung|laid|"
    "led|let|lit|ridden|shot|sung|stood|stuck|swept|sworn|torn|woken|withdrawn|wound"
)
BASELINE = re.compile(rf"\b(am|is|are|was|were|be|been|being)\s+(\w+ed|{_IRREGULAR})\b", re.I)


def spans(nlp, sentence: str) -> list[tuple[str, str]]:
    (doc,) = passive_docs(nlp, [sentence])  # as proofreading parses: no lemmas
    return [(sentence[p.start : p.end], p.kind) for p in find_passives(doc)]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The report was written by the committee.", [("was written", "by-agent")]),
        ("He got fired last week.", [("got fired", "get-passive")]),
        ("Attached is the report you asked for.", [("Attached is", "agentless")]),
        ("The work needs to be done by Friday.", [("to be done", "agentless")]),
        ("She has not been promoted.", [("has not been promoted", "agentless")]),
        ("I am interested in the job.", []),
        ("The committee wrote the report.", []),
    ],
)
def test_passive_clauses_and_their_kinds(nlp, sentence, expected) -> None:
    assert spans(nlp, sentence) == expected


def test_beats_the_regex_baseline_on_precision_and_recall(nlp) -> None:
    path = CORPUS / "passive" / "passivepy_crowdsource.tsv"
    if not path.exists():
        pytest.skip("shared corpus not found")
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    truth = [row["label"] == "1" for row in rows]
    ours = [bool(find_passives(d)) for d in passive_docs(nlp, [row["sentence"] for row in rows])]
    base = [bool(BASELINE.search(row["sentence"])) for row in rows]

    def precision_recall(predicted: list[bool]) -> tuple[float, float]:
        tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
        return tp / sum(predicted), tp / sum(truth)

    (p_ours, r_ours), (p_base, r_base) = precision_recall(ours), precision_recall(base)
    print(
        f"\npassive voice on {len(rows)} sentences: dependency parse P={p_ours:.3f} R={r_ours:.3f}; "
        f"be+participle regex P={p_base:.3f} R={r_base:.3f}"
    )
    assert p_ours > p_base and r_ours > r_base


@pytest.mark.parametrize(
    "sentence",
    [
        "I am interested in the new offer.",
        "We were very excited about the launch.",
        "Getting involved in politics is easy.",
        "The room was crowded with students.",
        "She was born in 1990.",
        "I was so tired after the trip.",
    ],
)
def test_adjectival_participles_are_not_passives(nlp, sentence) -> None:
    assert spans(nlp, sentence) == []


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("I was surprised by the result.", "by-agent"),
        ("The offer was accepted.", "agentless"),
        ("He got fired last week.", "get-passive"),
    ],
)
def test_a_participle_with_an_agent_or_an_action_stays_passive(nlp, sentence, kind) -> None:
    assert [k for _, k in spans(nlp, sentence)] == [kind]
