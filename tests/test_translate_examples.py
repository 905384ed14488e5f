"""The few-shot examples teach full sentences, come from no test set, and the benchmark's paired
bootstrap tells a real chrF difference from chance."""

from __future__ import annotations

import csv
import re

import pytest

from bench.paired import paired_chrf
from bench.quality import strong_prompt
from dragoman.chains.translate.prompting import few_shot_prefix
from dragoman.prompts import load_data
from tests.corpus import CORPUS

EXAMPLES = load_data("translate.examples")["sentences"]


def _words(sentence: str) -> list[str]:
    return re.sub(r"</?a1>", "", sentence).split()


def test_examples_are_full_sentences_of_several_lengths() -> None:
    lengths = [len(_words(s)) for s in EXAMPLES["en"]]
    # Short lines alone ("Hello.") measured 2–3.5 chrF worse on FLORES-200 than full sentences.
    assert sum(n >= 8 for n in lengths) >= 3, lengths
    assert max(lengths) >= 15 and min(lengths) <= 4, lengths
    assert any(s.endswith("?") for s in EXAMPLES["en"])  # a question, as forum posts have them


def test_every_language_has_the_link_example_with_its_placeholder_once() -> None:
    for code, sentences in EXAMPLES.items():
        tagged = [s for s in sentences if "<a1>" in s]
        assert len(tagged) == 1 and tagged[0].count("</a1>") == 1, code


def test_numbers_in_the_examples_agree_across_languages() -> None:
    """A digit an example drops or changes in one language would teach the model to do so."""
    for code, sentences in EXAMPLES.items():
        for english, other in zip(EXAMPLES["en"], sentences, strict=True):
            digits = re.sub(r"\D", "", english)
            assert re.sub(r"\D", "", other) == digits, (code, other)


def _corpus_sentences() -> set[str]:
    flores = CORPUS / "parallel" / "flores200" / "devtest.tsv"
    if not flores.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    found: set[str] = set()
    with flores.open(encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            found.update(row)
    for path in (CORPUS / "parallel" / "tatoeba").glob("*.tsv"):
        with path.open(encoding="utf-8") as f:
            for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                found.update(row[2:4])
    return {" ".join(s.split()).lower() for s in found}


def test_no_example_comes_from_the_test_sets_the_benchmark_scores() -> None:
    corpus = _corpus_sentences()
    for code, sentences in EXAMPLES.items():
        for sentence in sentences:
            assert " ".join(sentence.split()).lower() not in corpus, (code, sentence)


def test_the_benchmarks_strong_prompt_is_not_dragomans_own() -> None:
    ours = few_shot_prefix("de", "en")
    theirs = strong_prompt("Guten Morgen!", "de", "en")
    assert theirs.endswith("German: Guten Morgen!\nEnglish:")
    shots = re.findall(r"^English: (.+)$", theirs, re.M)
    assert len(shots) == 3 and not any(shot in ours for shot in shots)


REFERENCES = [f"the {w} went to the market on day {n}" for n, w in enumerate("abcdefghij" * 6)]


def test_paired_bootstrap_finds_no_difference_between_a_system_and_itself() -> None:
    same = [r.replace("market", "shop") for r in REFERENCES]
    result = paired_chrf(same, same, REFERENCES)
    # (sacrebleu's p-value is not meaningful here: no resample differs from the real difference.)
    assert result["difference"] == 0 and result["ci95"] == [0, 0]


def test_paired_bootstrap_resolves_a_clear_difference_and_not_a_tiny_one() -> None:
    worse = [r.replace("market", "shop") for r in REFERENCES]
    clear = paired_chrf(worse, REFERENCES, REFERENCES)
    assert clear["difference"] > 0 and clear["ci95"][0] > 0 and clear["p"] < 0.05
    # One sentence of sixty a little better: within chance.
    tiny = paired_chrf(worse, [REFERENCES[0], *worse[1:]], REFERENCES)
    assert tiny["ci95"][0] <= 0 <= tiny["ci95"][1] and tiny["p"] > 0.05
