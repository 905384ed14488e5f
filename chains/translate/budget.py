"""How many tokens an answer may take, and when a streamed answer has clearly gone wrong."""

from __future__ import annotations

import math
import re
from functools import lru_cache

from ..markup.inline import placeholder_count
from ..scripts import wide_count

# A stretch of 3 to 40 characters repeated five times or more in a row: a decoding loop.
_LOOP = re.compile(r"(.{3,40}?)\1{4,}", re.S)
# A translation is rarely over twice its source in tokens; the margin covers short segments.
ANSWER_RATIO = 2.0
ANSWER_MARGIN = 8
# Past this many characters per source character an answer is not a translation any more.
RUNAWAY_RATIO = 4.0
# A small model that copies its source does it from the first word: once an answer has repeated
# this many characters of the source word for word, the rest of the copy is not worth waiting for.
COPY_CHARS = 40
# A streamed answer is checked after every chunk, with all of it so far: each check reads only
# its last stretch for a loop (one closes at the end: five turns of the longest piece, and the
# chunk that closed it) and its first stretch for a copy, so a stream costs time in proportion to
# its length. Reading all of it each time took 20 s of CPU for a 14,000-character answer.
LOOP_TAIL = 8 * 40
COPY_HEAD = 400


def estimate_tokens(text: str) -> int:
    """A token count from the characters, for backends without a tokenizer at hand: a wide
    script's character is about a token, others take about 3.5 characters a token."""
    wide = wide_count(text)
    return max(1, wide + math.ceil((len(text) - wide) / 3.5))


def answer_budget(source_tokens: int, text: str, ceiling: int) -> int:
    """Tokens an answer to `text` may take: about twice the source, plus room for its tags."""
    tags = placeholder_count(text)
    wanted = math.ceil(ANSWER_RATIO * source_tokens) + ANSWER_MARGIN + 2 * tags
    return max(16, min(ceiling, wanted))


def looping(answer: str, source: str) -> str | None:
    """The piece an answer repeats in a loop, or None. A loop is no fault where the source holds
    the same run (kept as it was: "-----") or repeats a piece of its own about as many times in a
    row: a refrain ("Ja, ja, ja, ja, ja!") is translated as one, in other words."""
    for loop in _LOOP.finditer(answer):
        piece = loop.group(1)
        if len(loop.group()) // len(piece) > _most_turns(source) + 1 and piece * 5 not in source:
            return piece
    return None


@lru_cache(maxsize=8)
def _most_turns(text: str) -> int:
    """The most times `text` repeats a piece in a row, 0 if it never loops; counted once per
    text, since a streamed answer is checked against the same source after every chunk."""
    return max(
        (len(loop.group()) // len(loop.group(1)) for loop in _LOOP.finditer(text)), default=0
    )


def copied_prefix(answer: str, source: str, most: int | None = None) -> str | None:
    """The answer so far when it is a long, word-for-word start of its source (short of the
    whole: a complete copy is judged as an answer); None otherwise. With `most`, only the first
    `most` characters of the answer are compared, and only as much of the source."""
    start = _words(answer, most)
    whole = _words(source, None if most is None else len(start) + 1)
    if len(start) >= COPY_CHARS and len(start) < len(whole) and whole.startswith(start):
        return start
    return None


def _words(text: str, most: int | None) -> str:
    """`text` with its whitespace collapsed, or the first `most` characters of that, read from
    a stretch of `text` that doubles until it holds them."""
    if most is None:
        return " ".join(text.split())
    stretch = most
    while True:
        words = " ".join(text[:stretch].split())
        if len(words) >= most or stretch >= len(text):
            return words[:most]
        stretch *= 2


def runaway(answer: str, source: str) -> bool:
    """Whether a streamed answer has gone wrong for good: looping, or far longer than a
    translation of `source` can be. Stopping it early saves the rest of its budget. A loop is
    looked for at the end of the answer only: it is checked again after every chunk."""
    too_long = len(answer) > RUNAWAY_RATIO * len(source) + 40
    return too_long or looping(answer[-LOOP_TAIL:], source) is not None
