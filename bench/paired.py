"""Paired bootstrap resampling for chrF (sacrebleu's test), with a confidence interval for the
difference: whether a difference between two systems on the same sentences is more than chance."""

from __future__ import annotations

from typing import Any

import numpy as np
from sacrebleu.metrics import CHRF
from sacrebleu.significance import PairedTest

SAMPLES = 1000
SEED = 12345  # sacrebleu's own default seed: the same resamples every run


def paired_chrf(baseline: list[str], system: list[str], references: list[str]) -> dict[str, Any]:
    """`system` − `baseline` in chrF, its 95% bootstrap interval and sacrebleu's paired p-value."""
    test = PairedTest(
        [("baseline", baseline), ("system", system)],
        {"chrf": CHRF()},
        [references],
        test_type="bs",
        n_samples=SAMPLES,
    )
    _, scores = test()
    _, result = next(v for k, v in scores.items() if k != "System")
    # The interval of the difference itself, from resamples of the same sentence indices for both
    # (sacrebleu reports each system's interval and the p-value, not this).
    metric = CHRF()
    base = np.array(metric._extract_corpus_statistics(baseline, [references]), dtype="float64")
    ours = np.array(metric._extract_corpus_statistics(system, [references]), dtype="float64")
    rng = np.random.default_rng(SEED)
    indices = rng.choice(len(references), size=(SAMPLES, len(references)), replace=True)
    differences = [
        metric._compute_score_from_stats(list(ours[i].sum(0))).score
        - metric._compute_score_from_stats(list(base[i].sum(0))).score
        for i in indices
    ]
    low, high = np.percentile(differences, [2.5, 97.5])
    return {
        "difference": round(result.score - metric.corpus_score(baseline, [references]).score, 1),
        "ci95": [round(float(low), 1), round(float(high), 1)],
        "p": round(float(result.p_value), 3),
    }
