"""Wide scripts: Chinese, Japanese, Korean and Thai, whose characters each carry about a word
(a token apiece, far fewer characters than their translations) and which mostly run words
together without spaces. The one table of them, for budgets, length checks and word matching."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_WIDE = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI")
# The languages written in them (primary codes).
WIDE_LANGUAGES = frozenset({"zh", "ja", "ko", "th"})


@lru_cache(maxsize=65536)
def is_wide(char: str) -> bool:
    """Whether a character belongs to a wide script."""
    return unicodedata.name(char, "").startswith(_WIDE)


def wide_count(text: str) -> int:
    """How many characters of `text` are of a wide script."""
    return sum(1 for c in text if is_wide(c))
