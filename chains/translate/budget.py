"""How many tokens an answer may take, and when a streamed answer has clearly gone wrong."""

from __future__ import annotations

import math
import re
import unicodedata

# Scripts written without spaces take about a token a character; others about 3.5 characters.
_WIDE = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI")
_PLACEHOLDER = re.compile(r"</?[a-z]\d+\s*/?>")
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


def estimate_tokens(text: str) -> int:
    """A token count from the characters, for backends without a tokenizer at hand."""
    wide = sum(1 for c in text if unicodedata.name(c, "").startswith(_WIDE))
    return max(1, wide + math.ceil((len(text) - wide) / 3.5))


def answer_budget(source_tokens: int, text: str, ceiling: int) -> int:
    """Tokens an answer to `text` may take: about twice the source, plus room for its tags."""
    tags = len(_PLACEHOLDER.findall(text))
    wanted = math.ceil(ANSWER_RATIO * source_tokens) + ANSWER_MARGIN + 2 * tags
    return max(16, min(ceiling, wanted))


def looping(answer: str, source: str) -> str | None:
    """The piece an answer repeats in a loop (and the source does not), or None."""
    loop = _LOOP.search(answer)
    return loop.group(1) if loop and loop.group(1) * 5 not in source else None


def copied_prefix(answer: str, source: str) -> str | None:
    """The answer so far when it is a long, word-for-word start of its source (short of the
    whole: a complete copy is judged as an answer); None otherwise."""
    start, whole = " ".join(answer.split()), " ".join(source.split())
    if len(start) >= COPY_CHARS and len(start) < len(whole) and whole.startswith(start):
        return start
    return None


def runaway(answer: str, source: str) -> bool:
    """Whether a streamed answer has gone wrong for good: looping, or far longer than a
    translation of `source` can be. Stopping it early saves the rest of its budget."""
    too_long = len(answer) > RUNAWAY_RATIO * len(source) + 40
    return too_long or looping(answer, source) is not None
