"""French grammar: Grammalecte's answer (its errors by line, from a separate process) as issues
with offsets in the checked text, named as taxonomy.toml names them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from .issues import Check, Issue
from .taxonomy import taxonomy

# What checks French grammar: the text in, Grammalecte's JSON answer out (None: unavailable).
GrammarServer = Callable[[str], dict[str, Any] | None]
# Grammalecte reads each line as a paragraph, after making every line end a "\n".
_LINE_END = re.compile(r"\r\n|\r|\n")
_MAX_REPLACEMENTS = 5


def _line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in _LINE_END.finditer(text))]


def grammalecte_issues(
    answer: dict[str, Any], text: str, checks: tuple[Check, ...], dictionary: frozenset[str]
) -> Iterator[Issue]:
    """The grammar errors of Grammalecte's `answer` for `text` (spelling is Hunspell's), except
    those on a word of the personal `dictionary`."""
    names = taxonomy()
    starts = _line_starts(text)
    for paragraph in answer.get("data", []):
        line = int(paragraph["iParagraph"]) - 1
        if not 0 <= line < len(starts):
            continue
        for error in paragraph.get("lGrammarErrors", []):
            start, end = starts[line] + int(error["nStart"]), starts[line] + int(error["nEnd"])
            flagged = text[start:end]
            if not flagged or flagged.lower() in dictionary or end > len(text):
                continue
            name = names.grammalecte(str(error.get("sType", "")))
            if name.check in checks:
                message = str(error.get("sMessage", name.description))
                fixes = tuple(dict.fromkeys(error.get("aSuggestions", [])))[:_MAX_REPLACEMENTS]
                yield name.issue(start, end, message, fixes)
