"""4. Proofreading accuracy: passive voice against a regex baseline (grammar: bench/grammar.py)."""

from __future__ import annotations

import csv
from typing import Any

from dragoman.chains.proofread import find_passives, passive_docs
from tests.test_passive import BASELINE

from .common import CORPUS


def _pr(predicted: list[bool], truth: list[bool]) -> dict[str, float]:
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    return {
        "precision": round(tp / max(1, sum(predicted)), 3),
        "recall": round(tp / max(1, sum(truth)), 3),
    }


def passive(nlp: Any) -> list[dict[str, Any]]:
    """Sentence-level passive detection on each labelled file."""
    rows = []
    for name in ("passivepy_crowdsource.tsv", "passivepy_cola_dev.tsv", "yoast_english.tsv"):
        with (CORPUS / "passive" / name).open(encoding="utf-8") as handle:
            data = list(csv.reader(handle, delimiter="\t"))[1:]
        truth = [row[1].strip() == "1" for row in data]
        ours = [bool(find_passives(doc)) for doc in passive_docs(nlp, [row[0] for row in data])]
        base = [bool(BASELINE.search(row[0])) for row in data]
        rows.append(
            {
                "file": name,
                "sentences": len(data),
                "parse": _pr(ours, truth),
                "regex": _pr(base, truth),
            }
        )
    return rows
