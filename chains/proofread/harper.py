"""The deterministic layer: Harper's lints as issues, named as LanguageTool names them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Protocol

from .issues import Check, Issue
from .taxonomy import taxonomy

_CODE = re.compile(r"`([^`]*)`")
_MAX_REPLACEMENTS = 5
_DELETE, _INSERT_AFTER = 1, 2  # Harper's SuggestionKind.REMOVE and INSERT_AFTER
_STYLE_CATEGORIES = {"STYLE", "REDUNDANCY", "TYPOGRAPHY"}
# Longer than any English word (pneumonoultramicroscopicsilicovolcanoconiosis has 45 letters).
_TOO_LONG = re.compile(r"\S{46,}")


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
    before = text[:start].rstrip()
    at_sentence_start = not before or before[-1] in '.!?:"“'
    return (
        (word[:1].isupper() and not at_sentence_start)
        or (word.isupper() and len(word) > 1)
        or any(c.isdigit() for c in word)
        or len(word) == 1
    )


def _known(word: str, dictionary: frozenset[str]) -> bool:
    return word.lower() in dictionary or word.lower().rstrip("'’s") in dictionary


def _pieces(text: str) -> Iterator[tuple[int, str]]:
    """`text` between its tokens longer than any English word, each with its offset: Harper's
    suggestions for an unknown token take memory that grows with the square of its length
    (a 40,000-letter one, 800 MB), and no such token is a word to correct."""
    start = 0
    for token in _TOO_LONG.finditer(text):
        if text[start : token.start()].strip():
            yield start, text[start : token.start()]
        start = token.end()
    if text[start:].strip():
        yield start, text[start:]


def harper_issues(
    linter: Linter, text: str, checks: list[Check], dialect: str, dictionary: frozenset[str]
) -> Iterator[Issue]:
    """Harper's lints on `text` as issues; spelling spares names and the personal dictionary."""
    for offset, piece in _pieces(text):
        yield from _piece_issues(linter, text, offset, piece, checks, dialect, dictionary)


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
    for rule, lints in linter.organized_lints(piece, language="plaintext").items():
        for lint in lints:
            start, end = offset + lint.span.start, offset + lint.span.end
            word = lint.problem_text
            if rule == "SpellCheck" and (
                _is_name_like(text, start, word) or _known(word, dictionary)
            ):
                continue
            if rule == "RepeatedWords" and word.split()[0].lower() in names.legitimate_repeats:
                continue
            name = names.harper(rule, lint.lint_kind, lint.lint_kind_pretty, dialect)
            check: Check = "style" if name.category in _STYLE_CATEGORIES else "grammar"
            if check not in checks:
                continue
            yield Issue(
                start,
                end - start,
                check,
                name.id,
                _CODE.sub(r"“\1”", lint.message),
                _replacements(lint),
                short_message=name.description,
                rule_category=name.category,
                picky=name.picky,
            )
