"""Cheap deterministic checks: repeated words, a/an, doubled spaces and punctuation."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from .issues import Check, Issue

_REPEATED = re.compile(r"\b(\w+)(\s+)(\1)\b", re.I)
# Legitimate doublings in English.
_REPEAT_OK = {"had", "that", "is", "do", "bye", "no", "very", "so", "ha", "knock", "well"}
_ARTICLE = re.compile(r"\b([Aa]n?)(\s+)([A-Za-z][\w'-]*)")
# Words whose first letter misleads: spelled with a vowel but said with a consonant, or back.
_CONSONANT_SOUND = re.compile(
    r"^(uni(?!nt|mp|nf|nd|ns)|use|usu|uti|ur[aeiou]|eu|ewe|one\b|once|onc|ubiq|uk\b|us\b|u\.s)",
    re.I,
)
_VOWEL_SOUND = re.compile(r"^(hour|honest|honou?r|heir|herb\b)", re.I)
_VOWEL_LETTERS = re.compile(r"^[AEFHILMNORSX]$|^[AEFHILMNORSX][A-Z0-9]+$")  # said letter by letter
_SPACES = re.compile(r"(?<=\S)( {2,})(?=\S)")
_PUNCT = re.compile(r"(?<![.!?])([,;:])\1+|(?<!\.)\.\.(?!\.)")


def _wants_an(word: str) -> bool:
    if _VOWEL_LETTERS.match(word):
        return True
    if word.isupper() and len(word) > 1:
        return word[0] in "AEIOU"
    if _VOWEL_SOUND.match(word):
        return True
    if _CONSONANT_SOUND.match(word):
        return False
    return word[0].lower() in "aeiou"


def repeated_words(text: str) -> Iterator[Issue]:
    """'the the' → 'the'."""
    for match in _REPEATED.finditer(text):
        word = match.group(1)
        if word.lower() in _REPEAT_OK or word.isdigit():
            continue
        yield Issue(
            match.start(),
            match.end() - match.start(),
            "style",
            "REPEATED_WORD",
            f"The word “{word}” is repeated.",
            (word,),
            short_message="Repeated word",
        )


def articles(text: str) -> Iterator[Issue]:
    """'a apple' → 'an apple', 'an house' → 'a house'."""
    for match in _ARTICLE.finditer(text):
        article, word = match.group(1), match.group(3)
        wanted = "an" if _wants_an(word) else "a"
        if article.lower() == wanted:
            continue
        fixed = wanted.capitalize() if article[0].isupper() else wanted
        yield Issue(
            match.start(1),
            len(article),
            "grammar",
            "A_VS_AN",
            f"Use “{fixed}” before “{word}”.",
            (fixed,),
            short_message="a or an",
        )


def spacing_and_punctuation(text: str) -> Iterator[Issue]:
    """Doubled spaces between words, doubled commas, semicolons, colons and periods."""
    for match in _SPACES.finditer(text):
        yield Issue(
            match.start(1),
            len(match.group(1)),
            "style",
            "DOUBLE_SPACE",
            "There are several spaces between words.",
            (" ",),
            short_message="Double space",
        )
    for match in _PUNCT.finditer(text):
        mark = match.group()[0]
        yield Issue(
            match.start(),
            len(match.group()),
            "style",
            "DOUBLE_PUNCTUATION",
            f"“{mark}” is doubled.",
            (mark,),
            short_message="Doubled punctuation",
        )


RULES: dict[Check, tuple[Callable[[str], Iterable[Issue]], ...]] = {
    "grammar": (articles,),
    "style": (repeated_words, spacing_and_punctuation),
}


def rule_issues(text: str, checks: Iterable[Check]) -> list[Issue]:
    """The issues the deterministic rules of `checks` find in `text`."""
    return [issue for check in checks for rule in RULES.get(check, ()) for issue in rule(text)]
