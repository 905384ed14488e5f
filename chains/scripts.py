"""Wide scripts: Chinese, Japanese, Korean and Thai, whose characters each carry about a word
(a token apiece, far fewer characters than their translations) and which mostly run words
together without spaces; and the scripts that write words without spaces between them. The one
table of them, for budgets, length checks and word matching."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_WIDE = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI")
# The languages written in them (primary codes).
WIDE_LANGUAGES = frozenset({"zh", "ja", "ko", "th"})
# Scripts whose words run together without spaces (Korean spaces its words): a word of them is
# found by a segmenter, never by splitting at spaces, and the languages written in them.
_UNSPACED = ("CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR")
UNSPACED_LANGUAGES = frozenset({"zh", "ja", "th", "lo", "km", "my"})


@lru_cache(maxsize=65536)
def is_wide(char: str) -> bool:
    """Whether a character belongs to a wide script."""
    return unicodedata.name(char, "").startswith(_WIDE)


def wide_count(text: str) -> int:
    """How many characters of `text` are of a wide script."""
    return sum(1 for c in text if is_wide(c))


@lru_cache(maxsize=65536)
def is_unspaced(char: str) -> bool:
    """Whether a character belongs to a script that writes words without spaces between them."""
    return unicodedata.name(char, "").startswith(_UNSPACED)


@lru_cache(maxsize=1)
def marks() -> str:
    """A regex character class body of every combining mark (Mn, Mc, Me): Python's \\w leaves
    them out, so a word pattern splits अच्छी and NFD café without them."""
    ranges: list[tuple[int, int]] = []
    # Marks live in the first two planes and in the variation selectors of plane 14.
    for code in [*range(0x20000), *range(0xE0000, 0xE1000)]:
        if unicodedata.category(chr(code)) in ("Mn", "Mc", "Me"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)
