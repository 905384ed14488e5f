"""Keeping only the fixes a language model finds likelier than the text as it stands.

A small proofreading model proposes edits that make a sentence no better, and a spell checker
flags names and jargon it does not know. A language model scores the sentence as it stands and
with each suggestion; an issue is shown only when one of its suggestions wins by a margin.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .issues import Issue

SUGGESTIONS = 3  # a misspelling's first suggestions; the right word is rarely further down


class Scorer(Protocol):
    """Log-probability gains of edited texts over their original (None: too long to score)."""

    def gains(self, original: str, edited: list[str]) -> list[float | None]: ...


@dataclass(frozen=True)
class Verifier:
    """Shows an issue only when the scorer prefers a suggestion by `margin` nats or more."""

    scorer: Scorer
    margin: float

    async def keep(self, sentence: str, start: int, issues: list[Issue]) -> list[Issue]:
        """The issues that win; their offsets count from where `sentence` starts, at `start`."""
        edited, owners = [], []
        for n, issue in enumerate(issues):
            before = sentence[: issue.offset - start]
            after = sentence[issue.offset - start + issue.length :]
            for replacement in issue.replacements[:SUGGESTIONS]:
                edited.append(before + replacement + after)
                owners.append(n)
        if not edited:
            return issues
        gains = await asyncio.to_thread(self.scorer.gains, sentence, edited)
        by_issue: dict[int, list[float | None]] = {}
        for n, gain in zip(owners, gains, strict=True):
            by_issue.setdefault(n, []).append(gain)
        return [issue for n, issue in enumerate(issues) if self._wins(by_issue.get(n, []))]

    def _wins(self, gains: list[float | None]) -> bool:
        """No suggestion, or one the scorer cannot judge, keeps an issue: no verdict is not a no."""
        if not gains or None in gains:
            return True
        return max(g for g in gains if g is not None) >= self.margin


class Sentence(Protocol):
    """A sentence of a region: where it starts and ends there, and its text."""

    region: int
    start: int
    end: int
    text: str


def judged_by_model(issue: Issue) -> bool:
    """Whether a deterministic issue waits for the language model: a possible typo does."""
    return issue.rule_category == "TYPOS" and not issue.from_model


async def verify_held(
    held: list[tuple[int, Issue]], sentences: Sequence[Sentence], verifier: Verifier
) -> list[tuple[int, Issue]]:
    """The held (region, issue) pairs whose suggestions win, judged sentence by sentence; one
    outside every sentence has nothing to be judged in, and is kept."""
    kept, judged = [], set()
    for s in sentences:
        mine = [
            (k, i) for k, (n, i) in enumerate(held) if n == s.region and s.start <= i.offset < s.end
        ]
        judged |= {k for k, _ in mine}
        if mine:
            wins = await verifier.keep(s.text, s.start, [i for _, i in mine])
            kept += [(s.region, i) for i in wins]
    return kept + [x for k, x in enumerate(held) if k not in judged]
