"""4. Proofreading accuracy: passive voice against a regex baseline; grammar with the embedded model."""

from __future__ import annotations

import asyncio
import csv
from typing import Any

from dragoman.chains.proofread import find_passives, proofread
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
        ours = [bool(find_passives(doc)) for doc in nlp.pipe(row[0] for row in data)]
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


def _lines(path: Any, n: int) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()[:n]


def grammar(runtime: Any, n: int = 40) -> dict[str, Any]:
    """Does the sentence get a grammar flag? JFLEG (learner English) and clean CWEB web sentences."""
    jfleg = CORPUS / "grammar" / "jfleg" / "test"
    sources, refs = _lines(jfleg / "test.src", n), _lines(jfleg / "test.ref0", n)
    truth = [" ".join(s.split()) != " ".join(r.split()) for s, r in zip(sources, refs, strict=True)]
    cweb = CORPUS / "grammar" / "cweb"
    clean = [s for s, a, b in zip(_lines(cweb / "CWEB-G.test.source", 400), _lines(cweb / "CWEB-G.test.ann1", 400),
                                  _lines(cweb / "CWEB-G.test.ann2", 400), strict=True) if s == a == b][:n]  # fmt: skip
    flagged, suggestions, dropped = [], 0, 0
    for sentence in sources + clean:
        corrector = runtime.corrector()
        result = asyncio.run(
            proofread(sentence, "text", ["grammar", "style"], runtime.nlp(), corrector)
        )
        flagged.append(any(i.category == "grammar" for i in result.issues))
        suggestions += len(result.issues)
        dropped += result.dropped_ungrounded
    jfleg_flags, cweb_flags = flagged[: len(sources)], flagged[len(sources) :]
    return {
        "jfleg": {"sentences": len(sources), **_pr(jfleg_flags, truth)},
        "cweb_clean": {
            "sentences": len(clean),
            "false_alarm_rate": round(sum(cweb_flags) / max(1, len(clean)), 3),
        },
        "dropped_ungrounded_share": round(dropped / max(1, suggestions + dropped), 3),
    }
