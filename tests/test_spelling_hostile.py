"""Spelling under hostile input: work grows linearly with every family of text an attacker can
send (one long token, unclosed quotes, many paths, addresses or domains), and words are whole
with their combining marks (Hindi, NFD French), or not judged at all where a script does not
space its words (Thai)."""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable

import pytest

from dragoman.chains.proofread.spelling import spelling_issues
from dragoman.services.spelling import dictionaries

BASE = 2_500
# Each family, as text of about n characters. Before #34 the first five took quadratic time: a
# 40,000-character token 32.6 s, 20,000 „ 79.6 s through /v2/check.
FAMILIES: dict[str, Callable[[int], str]] = {
    "one long token": lambda n: "a" * n,
    "unclosed „": lambda n: "„" * n,
    "one long path": lambda n: "a/" * (n // 2),
    "at signs": lambda n: "a@" * (n // 2),
    "dotted": lambda n: "a." * (n // 2),
    "many paths": lambda n: "a/b " * (n // 4),
    "many addresses": lambda n: "x@y.de " * (n // 7),
    "quotes in quotes": lambda n: "„a „b " * (n // 6),
    "words": lambda n: "Haus Baum " * (n // 10),
    "one misspelling repeated": lambda n: "Huas Baum " * (n // 10),
    "invented words": lambda n: " ".join(_invented(i) for i in range(n // 8)),
}


def _invented(i: int) -> str:
    """The i-th of many distinct words no dictionary knows (zqaab, zqaac, …)."""
    letters = ""
    for _ in range(5):
        i, rest = divmod(i, 26)
        letters += chr(ord("a") + rest)
    return "zq" + letters


# Linear work takes 16× as long at 16× the size; a quadratic pattern takes 256×.
TOLERANCE = 3.0


def _cpu(text: str) -> float:
    """The least CPU time of three checks of `text` in German."""
    speller = dictionaries().speller("de-DE")
    assert speller is not None, "no German dictionary: run `make dictionaries`"
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        list(spelling_issues(speller, text, "de-DE", frozenset()))
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.parametrize("family", FAMILIES)
def test_work_grows_linearly(family: str) -> None:
    make = FAMILIES[family]
    _cpu(make(BASE))  # warm the dictionary and the caches
    small, large = _cpu(make(BASE)), _cpu(make(16 * BASE))
    # Below a millisecond the clock's grain dominates: compare against that floor.
    assert large <= 16 * TOLERANCE * max(small, 0.001), (family, small, large)


def _flagged(language: str, text: str) -> list[str]:
    speller = dictionaries().speller(language)
    assert speller is not None, f"no dictionary for {language}"
    return [
        text[i.offset : i.offset + i.length]
        for i in spelling_issues(speller, text, language, frozenset())
    ]


def test_hindi_words_are_whole_with_their_marks() -> None:
    # भाषा and बहुत misspelt; अच्छी is correct but held a virama and a vowel sign.
    assert _flagged("hi", "मेरी भाशा बहूत अच्छी है") == ["भाशा", "बहूत"]


def test_decomposed_letters_are_checked_as_composed() -> None:
    text = unicodedata.normalize("NFD", "Le café était très bon, mais la réunoin aussi.")
    assert _flagged("fr", text) == [unicodedata.normalize("NFD", "réunoin")]


def test_scripts_without_spaces_are_never_judged_word_by_word() -> None:
    assert dictionaries().resolve("th") is None  # so /v2/languages does not offer it
    speller = dictionaries().speller("de-DE")
    assert speller is not None
    assert list(spelling_issues(speller, "ภาษาไทยง่ายมาก", "th", frozenset())) == []
