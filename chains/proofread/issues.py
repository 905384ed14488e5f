"""What proofreading reports: issues with offsets into the user's own text."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Issue:
    """One problem: `offset`/`length` in code points of the checked text, never of a model's."""

    offset: int
    length: int
    category: str  # grammar | passive_voice | style
    rule: str
    message: str
    replacements: tuple[str, ...] = ()
    sentence: str = ""
    short_message: str = ""
    text: str = ""  # the flagged span, exactly as it stands in the checked text


@dataclass
class ProofreadResult:
    """Issues in text order and what was checked."""

    issues: list[Issue] = field(default_factory=list)
    sentences: int = 0
    dropped_ungrounded: int = 0
