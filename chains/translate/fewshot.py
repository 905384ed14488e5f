"""Few-shot examples from the translation memory: remembered segments whose source is close to
the one being translated (fuzzy matches, as CAT tools score them), closest last."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..markup.inline import without_placeholders
from ..scripts import is_wide

_WORD = re.compile(r"\w+")
_MOST_TERMS = 200


@dataclass(frozen=True)
class Example:
    """A remembered segment shown to the model: its source, its translation, and how close."""

    source: str
    translation: str
    score: float


def terms(text: str) -> list[str]:
    """The words a match is scored on: lower case, tags left out, unspaced scripts in bigrams."""
    out: list[str] = []
    for word in _WORD.findall(without_placeholders(text).lower()):
        # In a wide script a "word" may be a whole clause: it is matched by its bigrams.
        if len(word) > 2 and any(is_wide(c) for c in word):
            out += [word[i : i + 2] for i in range(len(word) - 1)]
        else:
            out.append(word)
    return out


def match_score(text: str, other: str) -> float:
    """How close two sources are, 0–1: the share of words in common, in order. Sources longer
    than _MOST_TERMS words are never close: aligning them takes time that grows with the product
    of their lengths (4,000 words against 8,000: 15 s), and no such example fits a prompt."""
    return _score(terms(text), terms(other))


def _score(mine: list[str], theirs: list[str]) -> float:
    """match_score of two texts' terms."""
    if not mine or not theirs or max(len(mine), len(theirs)) > _MOST_TERMS:
        return 0.0
    return SequenceMatcher(None, mine, theirs, autojunk=False).ratio()


def closest(
    text: str, candidates: list[tuple[str, str]], most: int, threshold: float
) -> list[Example]:
    """The `most` candidates (source, translation) at least `threshold` close to `text`, one per
    source, ordered from the furthest to the closest (the closest stands next to the text)."""
    if most <= 0:
        return []
    best: dict[str, Example] = {}
    mine = terms(text)  # once, not once per candidate
    if len(mine) > _MOST_TERMS:
        return []
    for source, translation in candidates:
        if source in best:
            continue
        score = _score(mine, terms(source))
        if score >= threshold:
            best[source] = Example(source, translation, score)
    ranked = sorted(best.values(), key=lambda e: e.score, reverse=True)[:most]
    return ranked[::-1]
