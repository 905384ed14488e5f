"""What translating gives: each segment's outcome, and one result per item or document."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal, get_args

from ..errors import BackendUnavailable
from ..markup.inline import Node

# ok: first answer; repaired: a later answer, or spacing fixed; kept: left as it was, being in
# the target language already or answered with the source unchanged (a name, a title);
# fallback: text runs translated one by one inside the source's tags; failed: the source kept
# because no answer could be used.
Status = Literal["ok", "repaired", "kept", "fallback", "failed"]
STATUSES: tuple[Status, ...] = get_args(Status)
# Only these answers are good enough to enter the translation memory.
REMEMBERED: tuple[Status, ...] = ("ok", "repaired")


@dataclass
class Outcome:
    """How one segment ended: the answer to write back (None keeps the source) and its status."""

    nodes: list[Node] | None
    status: Status
    reason: str = ""
    fault: BackendUnavailable | None = None


@dataclass
class TranslationResult:
    """A translated item or document: its worst segment status, counts, and source language.

    `text` is the translated text of a text item; a file's document is updated in place."""

    detected_source: str
    status: Status = "ok"
    confidence: float = 1.0
    counts: dict[str, int] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    applied: int = 0  # segments written back into the document
    text: str = ""
    fault: BackendUnavailable | None = None  # why segments failed, when the backend was away


def worst(counts: Counter[str]) -> Status:
    """The worst status with a non-zero count."""
    return max((s for s in STATUSES if counts[s]), key=STATUSES.index, default="ok")
