"""Dragoman's own deterministic checks, for what Harper does not look at: doubled punctuation."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from .issues import Check, Issue
from .taxonomy import taxonomy

_PUNCT = re.compile(r"(?<![.!?])([,;:])\1+|(?<!\.)\.\.(?!\.)")


def doubled_punctuation(text: str) -> Iterator[Issue]:
    """Doubled commas, semicolons, colons and periods (an ellipsis is three)."""
    name = taxonomy().own("DOUBLE_PUNCTUATION")
    for match in _PUNCT.finditer(text):
        mark = match.group()[0]
        yield Issue(
            match.start(),
            len(match.group()),
            "style",
            name.id,
            f"“{mark}” is doubled.",
            (mark,),
            short_message=name.description,
            rule_category=name.category,
        )


RULES: dict[Check, tuple[Callable[[str], Iterable[Issue]], ...]] = {
    "style": (doubled_punctuation,),
}


def rule_issues(text: str, checks: Iterable[Check]) -> list[Issue]:
    """The issues the deterministic rules of `checks` find in `text`."""
    return [issue for check in checks for rule in RULES.get(check, ()) for issue in rule(text)]
