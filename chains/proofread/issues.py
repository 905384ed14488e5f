"""What proofreading reports: issues with offsets into the user's own text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

# The checks a caller can ask for; each issue is in the category of the check that found it.
Check = Literal["grammar", "passive_voice", "style"]
CHECKS: tuple[Check, ...] = get_args(Check)


@dataclass(frozen=True)
class Issue:
    """One problem: `offset`/`length` in code points of the checked text, never of a model's."""

    offset: int
    length: int
    category: Check
    rule: str
    message: str
    replacements: tuple[str, ...] = ()
    sentence: str = ""
    short_message: str = ""
    text: str = ""  # the flagged span, exactly as it stands in the checked text
    rule_category: str = "MISC"  # LanguageTool's category id (chains/proofread/taxonomy.toml)
    picky: bool = False  # shown only when the client asks for picky checking
    from_model: bool = False  # the model's suggestion, not a deterministic rule's


@dataclass
class ProofreadResult:
    """Issues in text order and what was checked."""

    issues: list[Issue] = field(default_factory=list)
    sentences: int = 0
    dropped_ungrounded: int = 0
    sentence_spans: list[tuple[int, int]] = field(default_factory=list)  # input offsets
    checked: set[str] = field(default_factory=set)  # languages other than English spelled
    unchecked: set[str] = field(default_factory=set)  # languages seen with no dictionary
    grammar_unchecked: set[str] = field(default_factory=set)  # their grammar checker was away


def overlaps(a: Issue, b: Issue) -> bool:
    """Whether two issues share a character."""
    return a.offset < b.offset + b.length and b.offset < a.offset + a.length
