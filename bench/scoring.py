"""Scores for grammar checking: flagged sentences (JFLEG) and span-level detection (CWEB, GMEG).

A predicted issue is right when its character span overlaps a gold edit's span in the source.
With several annotators, each line is scored against the one that gives the best running F0.5
(ties: more hits, then fewer false alarms, then fewer misses), as ERRANT's compare_m2 does.
"""

from __future__ import annotations

from typing import Any

Span = tuple[int, int]


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _f05(counts: list[int]) -> tuple[float, float, float]:
    """Precision, recall and F0.5 from [right predictions, predictions, found edits, edits]."""
    right, predicted, found, edits = counts
    p = right / predicted if predicted else 1.0
    r = found / edits if edits else 1.0
    return p, r, (1.25 * p * r / (0.25 * p + r) if p + r else 0.0)


def _local(predicted: list[Span], gold: list[Span]) -> list[int]:
    right = sum(any(_overlap(p, g) for g in gold) for p in predicted)
    found = sum(any(_overlap(g, p) for p in predicted) for g in gold)
    return [right, len(predicted), found, len(gold)]


def _best(total: list[int], predicted: list[Span], golds: list[list[Span]]) -> list[int]:
    """This line's counts against the annotator that serves the running F0.5 best."""

    def rank(counts: list[int]) -> tuple[float, int, int, int]:
        summed = [a + b for a, b in zip(total, counts, strict=True)]
        right, predicted_n, found, edits = counts
        return _f05(summed)[2], found, -(predicted_n - right), -(edits - found)

    return max((_local(predicted, gold) for gold in golds), key=rank)


def span_scores(lines: list[Any], predicted: list[list[Span]]) -> dict[str, Any]:
    """P / R / F0.5 of issue spans against gold edits, and false alarms on unchanged lines."""
    total = [0, 0, 0, 0]
    for line, spans in zip(lines, predicted, strict=True):
        total = [a + b for a, b in zip(total, _best(total, spans, line.gold), strict=True)]
    p, r, f = _f05(total)
    unchanged = [
        bool(spans) for line, spans in zip(lines, predicted, strict=True) if line.unchanged
    ]
    return {
        "lines": len(lines),
        "issues": total[1],
        "precision": round(p, 3),
        "recall": round(r, 3),
        "f05": round(f, 3),
        "unchanged_lines": len(unchanged),
        "false_alarm_rate": round(sum(unchanged) / max(1, len(unchanged)), 3),
    }


def sentence_scores(
    lines: list[Any], on_sources: list[list[Span]], on_refs: list[list[Span]]
) -> dict[str, Any]:
    """Share of erroneous sources flagged, and share of corrected references flagged."""
    erroneous = [
        bool(spans) for line, spans in zip(lines, on_sources, strict=True) if not line.unchanged
    ]
    return {
        "lines": len(lines),
        "erroneous": len(erroneous),
        "recall": round(sum(erroneous) / max(1, len(erroneous)), 3),
        "refs_flagged": round(sum(bool(s) for s in on_refs) / max(1, len(on_refs)), 3),
    }
