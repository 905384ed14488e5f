"""The deterministic layer: Harper's lints as issues, named as LanguageTool names them."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import replace
from itertools import accumulate
from typing import Any, Protocol

from .issues import Check, Issue
from .taxonomy import taxonomy
from .windows import windows

_CODE = re.compile(r"`([^`]*)`")
_MAX_REPLACEMENTS = 5
_DELETE, _INSERT_AFTER = 1, 2  # Harper's SuggestionKind.REMOVE and INSERT_AFTER
# Longer than any English word (pneumonoultramicroscopicsilicovolcanoconiosis has 45 letters).
_TOO_LONG = re.compile(r"\S{46,}")
# Harper's work on a sentence grows with the square of its length (16,000 characters of
# spaced CJK took 6 s): it reads windows of sentences, each sentence cut where it is longer.
_WINDOW = 1000
# A call costs Harper a quarter of a millisecond however short its text (5,000 one-line
# paragraphs took 2.8 s): short texts are read together, each its own paragraph, which Harper
# never reads across (no quote pairs, no word repeats over a blank line). One difference: Harper
# lets a lone sentence start in lower case ("the end is near."), never a paragraph.
_BREAK = "\n\n"
_SHORT = _WINDOW // 4


class Linter(Protocol):
    """What Dragoman needs of harper.Linter."""

    def organized_lints(self, text: str, *, language: Any = ...) -> dict[str, list[Any]]: ...


def _replacements(lint: Any) -> tuple[str, ...]:
    out: list[str] = []
    for suggestion in lint.suggestions:
        if suggestion.kind == _DELETE:
            value = ""
        elif suggestion.kind == _INSERT_AFTER:
            value = lint.problem_text + suggestion.replacement_text
        else:
            value = suggestion.replacement_text
        if value not in out:
            out.append(value)
    return tuple(out[:_MAX_REPLACEMENTS])


def _is_name_like(text: str, start: int, word: str) -> bool:
    """Names, acronyms, codes and single letters: a spell checker's dictionary cannot know them."""
    before, breaks = start, 0
    while before and text[before - 1].isspace():  # not text[:start]: a copy per lint is quadratic
        before -= 1
        breaks += text[before] == "\n"
    at_sentence_start = not before or text[before - 1] in '.!?:"“' or breaks > 1  # a paragraph's
    return (
        (word[:1].isupper() and not at_sentence_start)
        or (word.isupper() and len(word) > 1)
        or any(c.isdigit() for c in word)
        or len(word) == 1
    )


def _known(word: str, dictionary: frozenset[str]) -> bool:
    return word.lower() in dictionary or word.lower().rstrip("'’s") in dictionary


def _pieces(text: str) -> Iterator[tuple[int, str, bool, bool]]:
    """`text` between its tokens longer than any English word, in windows: each with its offset,
    and whether it starts and ends inside a sentence. Harper's suggestions for an unknown token
    take memory that grows with the square of its length (a 40,000-letter one, 800 MB), and no
    such token is a word to correct."""
    start = 0
    for token in [*_TOO_LONG.finditer(text), None]:
        end = token.start() if token else len(text)
        for first, last, opens, closes in windows(text, start, end, _WINDOW):
            if text[first:last].strip():
                yield first, text[first:last], opens, closes
        start = token.end() if token else end


def harper_issues_of(
    linter: Linter,
    texts: Sequence[str],
    checks: list[Check],
    dialect: str,
    dictionary: frozenset[str],
) -> Iterator[tuple[int, Issue]]:
    """Harper's issues of each of `texts`, with its index; short ones are linted together."""
    for group in _groups(texts):
        joined = _BREAK.join(texts[k] for k in group)
        starts = list(accumulate((len(texts[k]) + len(_BREAK) for k in group[:-1]), initial=0))
        for issue in harper_issues(linter, joined, checks, dialect, dictionary):
            i = bisect_right(starts, issue.offset) - 1
            offset = issue.offset - starts[i]
            if offset + issue.length <= len(texts[group[i]]):  # never one over a break
                yield group[i], replace(issue, offset=offset)


def _groups(texts: Sequence[str]) -> Iterator[list[int]]:
    """Indexes of `texts` in runs read by one call: a long text alone, short ones up to a window
    together."""
    group: list[int] = []
    size = 0
    for k, text in enumerate(texts):
        short = len(text) <= _SHORT
        if group and (not short or size + len(_BREAK) + len(text) > _WINDOW):
            yield group
            group, size = [], 0
        if not short:
            yield [k]
            continue
        group.append(k)
        size += len(text) + len(_BREAK)
    if group:
        yield group


def harper_issues(
    linter: Linter, text: str, checks: list[Check], dialect: str, dictionary: frozenset[str]
) -> Iterator[Issue]:
    """Harper's lints on `text` as issues; spelling spares names and the personal dictionary."""
    for offset, piece, opens, closes in _pieces(text):
        end = offset + len(piece.rstrip())
        for issue in _piece_issues(linter, text, offset, piece, checks, dialect, dictionary):
            # Where a window cuts a sentence, Harper sees a sentence start (a capital letter
            # missing) or end that is not there, and a lint reaching the cut was cut short.
            reaches_cut = closes and issue.offset + issue.length >= end
            if not (opens and issue.offset == offset or reaches_cut):
                yield issue


def _composed(piece: str) -> tuple[str, Sequence[int]]:
    """`piece` in NFC, and where each of its characters (and its end) is in `piece`: Harper cuts
    a word at a combining mark, so "adiós" typed decomposed was flagged as "adio"."""
    if unicodedata.is_normalized("NFC", piece):
        return piece, range(len(piece) + 1)
    runs: list[str] = []
    origins: list[int] = []
    start = 0
    for i in range(1, len(piece) + 1):  # a starter and the marks after it compose together
        if i < len(piece) and unicodedata.combining(piece[i]):
            continue
        run = unicodedata.normalize("NFC", piece[start:i])
        same = len(run) == i - start
        runs.append(run)
        origins += [start + k if same else start for k in range(len(run))]
        start = i
    return "".join(runs), [*origins, len(piece)]


def _piece_issues(
    linter: Linter,
    text: str,
    offset: int,
    piece: str,
    checks: list[Check],
    dialect: str,
    dictionary: frozenset[str],
) -> Iterator[Issue]:
    """Harper's lints on the `piece` of `text` that starts at `offset`."""
    names = taxonomy()
    composed, origins = _composed(piece)
    for rule, lints in linter.organized_lints(composed, language="plaintext").items():
        for lint in lints:
            start, end = offset + origins[lint.span.start], offset + origins[lint.span.end]
            word = lint.problem_text
            if rule == "SpellCheck" and (
                _is_name_like(text, start, word) or _known(word, dictionary)
            ):
                continue
            if rule == "RepeatedWords" and word.split()[0].lower() in names.legitimate_repeats:
                continue
            name = names.harper(rule, lint.lint_kind, lint.lint_kind_pretty, dialect)
            if name.check in checks:
                yield name.issue(start, end, _CODE.sub(r"“\1”", lint.message), _replacements(lint))
