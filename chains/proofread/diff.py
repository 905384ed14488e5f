"""A sentence and its correction, aligned by ERRANT into typed edits with offsets Dragoman computes.

A model only ever gives a corrected sentence; which words changed, where, and what kind of
error each change fixes (ERRANT's R:VERB:SVA, M:DET, R:SPELL…) is decided here. Edits that
change numbers, names or negation are rejected, and so is a whole correction that rewrites more
than a small share of the sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Protocol

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


class Annotator(Protocol):
    """ERRANT's annotator (errant.load("en", nlp)): parses, and aligns two parses into edits."""

    def parse(self, text: str, tokenise: bool = False) -> Any: ...

    def annotate(self, orig: Any, cor: Any) -> list[Any]: ...


@dataclass(frozen=True)
class Edit:
    """Replace sentence[start:end] with `replacement`; `type` is ERRANT's (R:VERB:SVA)."""

    start: int
    end: int
    replacement: str
    type: str = "R:OTHER"


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


def _content_words(words: list[str]) -> int:
    return sum(1 for w in words if w[:1].isalpha() and w.lower() not in _FUNCTION_WORDS)


def _safe(old: list[str], new: list[str], at_start: bool) -> bool:
    """An edit may fix grammar; it may not touch numbers, names or negation, swap words, nor add
    or drop a content word (that changes what the sentence says, not how well it says it)."""
    words_old = [w for w in old if w[:1].isalnum()]
    words_new = [w for w in new if w[:1].isalnum()]
    if _content_words(words_old) != _content_words(words_new):
        return False
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


def _chars(doc: Any, start: int, end: int) -> tuple[int, int]:
    """Character span of tokens doc[start:end]."""
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)


def _edit(orig: Any, cor: Any, original: str, corrected: str, e: Any) -> Edit | None:
    """One ERRANT edit as a character edit of `original`, or None when a guard rejects it."""
    o_start, o_end, c_start, c_end = e.o_start, e.o_end, e.c_start, e.c_end
    if (
        o_start == o_end
    ):  # an insertion: anchor it on the next word (or the previous one at the end)
        if o_start < len(orig):
            o_end, c_end = o_start + 1, c_end + 1
        else:
            o_start, c_start = o_start - 1, c_start - 1
    old = [t.text for t in orig[o_start:o_end]]
    new = [t.text for t in cor[c_start:c_end]]
    if not _safe(old, new, o_start == 0):
        return None
    start, end = _chars(orig, o_start, o_end)
    replacement = corrected[slice(*_chars(cor, c_start, c_end))] if c_start < c_end else ""
    if not replacement and start > 0 and original[start - 1] == " ":
        start -= 1  # deleting a word takes the space before it too
    if original[start:end] == replacement:
        return None
    return Edit(start, end, replacement, e.type)


def _size(removed: int, added: int) -> int:
    """How much an edit changes, in words: a contraction ("Their" → "They're") is one."""
    return max(removed, added - 1) if removed else added


def diff_edits(annotator: Annotator, original: str, corrected: str) -> list[Edit] | None:
    """Typed edits turning `original` into `corrected`; None when it rewrites too much."""
    orig = annotator.parse(original, tokenise=True)
    cor = annotator.parse(corrected, tokenise=True)
    if not len(orig):
        return []
    aligned = [e for e in annotator.annotate(orig, cor) if e.type not in ("noop", "UNK")]
    changed = sum(_size(e.o_end - e.o_start, e.c_end - e.c_start) for e in aligned)
    if changed > max(2, MAX_CHANGED_SHARE * len(orig)):
        return None
    edits = (_edit(orig, cor, original, corrected, e) for e in aligned)
    return [edit for edit in edits if edit is not None]


@dataclass(frozen=True)
class _Token:
    text: str
    idx: int


@dataclass(frozen=True)
class _WordEdit:
    o_start: int
    o_end: int
    c_start: int
    c_end: int
    type: str


_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")


class WordAligner:
    """ERRANT's part for languages it has no rules for: words aligned by difflib, and each
    change typed only as far as its letters tell (a spelling, punctuation, case, or other)."""

    def parse(self, text: str, tokenise: bool = False) -> list[_Token]:
        """The words and punctuation of `text`, with their offsets."""
        return [_Token(m.group(), m.start()) for m in _TOKEN.finditer(text)]

    def annotate(self, orig: list[_Token], cor: list[_Token]) -> list[_WordEdit]:
        """The changes that turn `orig` into `cor`, smallest first."""
        matcher = SequenceMatcher(a=[t.text for t in orig], b=[t.text for t in cor], autojunk=False)
        return [
            _WordEdit(i1, i2, j1, j2, _word_edit_type(orig[i1:i2], cor[j1:j2], op))
            for op, i1, i2, j1, j2 in matcher.get_opcodes()
            if op != "equal"
        ]


def _word_edit_type(old: list[_Token], new: list[_Token], op: str) -> str:
    kind = {"replace": "R", "insert": "M", "delete": "U"}[op]
    texts = [t.text for t in old + new]
    if all(not c.isalnum() for t in texts for c in t):
        return f"{kind}:PUNCT"
    if op == "replace" and len(old) == len(new) == 1:
        a, b = old[0].text, new[0].text
        if a.lower() == b.lower():
            return "R:ORTH"
        similar = SequenceMatcher(a=a.lower(), b=b.lower()).ratio()
        if a[:3].lower() == b[:3].lower() and similar >= 0.5:
            return "R:MORPH"  # another form of the same word: an ending, a case, a tense
        if similar >= 0.8:
            return "R:SPELL"
    return f"{kind}:OTHER"
