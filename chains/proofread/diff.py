"""Word-level diff of a sentence and its correction, into edits with offsets Dragoman computes.

A model only ever gives a corrected sentence; which words changed, and where, is decided here.
Edits that change numbers, names or negation are rejected, and so is a whole correction that
rewrites more than a small share of the sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
_NEGATION = {"not", "no", "never", "none", "nothing", "nobody", "nor", "neither", "cannot"}
MAX_CHANGED_SHARE = 0.4
# Grammar swaps one of these for another ("a" → "an", "has" → "have", "in" → "on"); any other
# word may only change its form ("go" → "goes", "tomorow" → "tomorrow"), not be replaced.
_FUNCTION_WORDS = {
    "a", "an", "the", "this", "that", "these", "those", "is", "are", "was", "were", "be", "been",
    "being", "am", "has", "have", "had", "do", "does", "did", "will", "would", "shall", "should",
    "can", "could", "may", "might", "must", "i", "me", "my", "mine", "you", "your", "yours",
    "he", "him", "his", "she", "her", "hers", "it", "its", "we", "us", "our", "ours", "they",
    "them", "their", "theirs", "there", "here", "who", "whom", "whose", "which", "what", "in",
    "on", "at", "to", "of", "for", "from", "by", "with", "about", "as", "into", "onto", "than",
    "then", "and", "or", "but", "if", "so", "too", "also", "much", "many", "few", "less",
    "fewer", "more", "most", "some", "any", "every", "each", "either", "one",
}  # fmt: skip


@dataclass(frozen=True)
class Edit:
    """Replace sentence[start:end] with `replacement`."""

    start: int
    end: int
    replacement: str


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _negations(words: list[str]) -> set[str]:
    return {
        w.lower() for w in words if w.lower() in _NEGATION or w.lower().endswith(("n't", "n’t"))
    }


def _names(words: list[str], first_is_start: bool) -> set[str]:
    return {
        w
        for i, w in enumerate(words)
        if w[:1].isupper() and w != "I" and not (i == 0 and first_is_start)
    }


def _same_word(old: str, new: str) -> bool:
    """Whether `new` is a form or spelling of `old`, or both are function words."""
    a, b = old.lower(), new.lower()
    if a in _FUNCTION_WORDS and b in _FUNCTION_WORDS:
        return True
    return SequenceMatcher(a=a, b=b).ratio() >= 0.6 or a.startswith(b[:3]) and len(b) > 3


def _safe(old: list[str], new: list[str], at_start: bool) -> bool:
    """An edit may fix grammar; it may not touch numbers, names or negation, nor swap words."""
    words_old = [w for w in old if w[:1].isalnum()]
    words_new = [w for w in new if w[:1].isalnum()]
    if len(words_old) == len(words_new) and not all(
        _same_word(a, b)
        for a, b in zip(words_old, words_new, strict=True)
        if a.lower() != b.lower()
    ):
        return False
    if [w for w in old if any(c.isdigit() for c in w)] != [
        w for w in new if any(c.isdigit() for c in w)
    ]:
        return False
    if _negations(old) != _negations(new):
        return False
    return {n.lower() for n in _names(old, at_start)} <= {w.lower() for w in new} and not (
        _names(new, at_start) - {w for w in old} - {w.capitalize() for w in old}
    )


def diff_edits(original: str, corrected: str) -> list[Edit] | None:
    """Edits turning `original` into `corrected`; None when the correction rewrites too much."""
    old, new = _tokens(original), _tokens(corrected)
    if not old:
        return []
    matcher = SequenceMatcher(a=[t[0] for t in old], b=[t[0] for t in new], autojunk=False)
    opcodes = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    changed = sum(max(i2 - i1, j2 - j1) for _, i1, i2, j1, j2 in opcodes)
    if changed > max(2, MAX_CHANGED_SHARE * len(old)):
        return None
    edits = []
    for _, i1, i2, j1, j2 in opcodes:
        if i1 == i2:  # an insertion: anchor it on the next word (or the previous one at the end)
            if i1 < len(old):
                i2, j2 = i1 + 1, j2 + 1
            else:
                i1, j1 = i1 - 1, j1 - 1
        if not _safe([t[0] for t in old[i1:i2]], [t[0] for t in new[j1:j2]], i1 == 0):
            continue
        start, end = old[i1][1], old[i2 - 1][2]
        replacement = corrected[new[j1][1] : new[j2 - 1][2]] if j1 < j2 else ""
        if not replacement and start > 0 and original[start - 1] == " ":
            start -= 1  # deleting a word takes the space before it too
        if original[start:end] != replacement:
            edits.append(Edit(start, end, replacement))
    return edits
