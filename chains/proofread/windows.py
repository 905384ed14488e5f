"""Long text in windows for checkers whose work grows faster than a sentence's length (Harper's
time, spaCy's memory): cut at sentence ends where possible, else at a space, else anywhere."""

from __future__ import annotations

import re
from collections.abc import Iterator

_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+")
_SPACE = re.compile(r"\s+")


def windows(text: str, start: int, end: int, size: int) -> Iterator[tuple[int, int, bool, bool]]:
    """`text[start:end]` cut into spans of at most `size` characters; each says whether it
    starts and ends inside a sentence."""
    opens = False
    while end - start > size:
        limit = start + size
        cut = _last_end(_SENTENCE_END, text, start, limit)
        closes = cut is None
        cut = cut or _last_end(_SPACE, text, start, limit) or limit
        yield start, cut, opens, closes
        start, opens = cut, closes
    yield start, end, opens, False


def _last_end(pattern: re.Pattern[str], text: str, start: int, limit: int) -> int | None:
    """Where the last match of `pattern` inside `text[start:limit]` ends, unless at `start`."""
    ends = [m.end() for m in pattern.finditer(text, start, limit)]
    return ends[-1] if ends and ends[-1] > start else None
