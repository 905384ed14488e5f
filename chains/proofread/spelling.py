"""Spelling beyond English: a Hunspell dictionary's verdict on each word, minus what no
dictionary can know.

Never flagged: URLs, e-mail addresses, paths and handles; words with digits; acronyms and
mixed-case names (ZMapp, iPhone); words in another script than the text's; quoted passages in
another language; words in the personal dictionary. A capitalised word the dictionary does not
know is a name unless the dictionary suggests a word one edit away: German nouns are
capitalised, and their typos are what that keeps.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from functools import cache
from typing import Protocol

from ..detect import detect_language
from ..languages import primary
from ..scripts import WIDE_LANGUAGES, is_unspaced, is_wide, marks
from .issues import Issue
from .taxonomy import taxonomy

_MAX_REPLACEMENTS = 5
# Distinct misspelled words of one check that get suggestions (Hunspell takes 5–25 ms each).
_SUGGESTED = 50
_SHORTEST_NOUN = 4  # capitalised words shorter than this are taken for names
# Spans no dictionary judges: URLs, e-mail addresses, @handles and #tags, paths, domains. Each
# may start only where a run of its characters starts (the lookbehinds): tried inside a long
# token, a pattern would rescan the rest of it from every position (quadratic time).
_NOT_PROSE = re.compile(
    r"(?:https?://|ftp://|www\.)\S+|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[@#]\w+"
    r"|(?<!\S)\S*[/\\]\S+|(?<![\w.])\w+(?:\.\w+)*\.[a-z]{2,6}\b(?!\.\w)"
)
# Quoted passages, which may be in another language: „…“ “…” "…" «…» »…« ‚…‘. A passage holds
# no second opening mark, so unclosed marks are each scanned to the next one, not to the end.
_QUOTED = re.compile(r"„[^„“”\"]+[“”\"]|“[^“”]+”|\"[^\"]+\"|«[^«»]+»|»[^»«]+«|‚[^‚‘]+‘")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})


@cache
def _words() -> re.Pattern[str]:
    """Words: letters with their combining marks (अच्छी, NFD café), joined by an apostrophe or
    a hyphen (l'homme, E-Mail-Adresse)."""
    return re.compile(rf"[^\W_](?:[^\W_]|[{marks()}]|['’ʼ-](?=[^\W_]))*")


class Speller(Protocol):
    """What Dragoman needs of a Hunspell dictionary (pyenchant's Dict)."""

    def check(self, word: str) -> bool: ...

    def suggest(self, word: str) -> list[str]: ...


def _script(char: str) -> str:
    """The script of a letter, as the first word of its Unicode name (LATIN, CYRILLIC, CJK…)."""
    return unicodedata.name(char, "UNKNOWN").split(" ")[0]


def _main_script(text: str) -> str:
    letters = Counter(_script(c) for c in text if c.isalpha())
    return letters.most_common(1)[0][0] if letters else "LATIN"


def _one_edit(a: str, b: str) -> bool:
    """Whether `b` is `a` with one letter deleted, inserted, replaced, or two neighbours swapped."""
    a, b = a.lower(), b.lower()
    if a != b and a.replace("ß", "ss") == b.replace("ß", "ss"):
        return True  # ss for ß (Swiss spelling) or the other way round: one slip
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
        return len(diff) == 1 or (swapped and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


class _Skipped:
    """Spans never checked (not prose, or a quotation in another language), asked in text order:
    each question costs a bisection, however many spans there are."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [s for s, _ in merged]
        self._ends = [e for _, e in merged]

    def overlaps(self, start: int, end: int) -> bool:
        """Whether [start, end) touches a skipped span."""
        i = bisect.bisect_right(self._starts, start) - 1
        if i >= 0 and self._ends[i] > start:
            return True
        return i + 1 < len(self._starts) and self._starts[i + 1] < end


def _skipped_spans(text: str, language: str) -> _Skipped:
    """Spans never checked: not prose, or a quotation in another language."""
    spans = [m.span() for m in _NOT_PROSE.finditer(text)]
    for quote in _QUOTED.finditer(text):
        inner = quote.group()[1:-1]
        if len(inner.split()) < 2:
            continue
        detected, confidence = detect_language(inner)
        if primary(detected) != primary(language) and confidence >= 0.5:
            spans.append(quote.span())
    return _Skipped(spans)


class SpellingCheck:
    """One text's words, judged by `speller` for `language`."""

    def __init__(
        self,
        speller: Speller,
        language: str,
        dictionary: frozenset[str],
        loanwords: Speller | None = None,
    ) -> None:
        self.speller = speller
        self.language = language
        self.dictionary = dictionary
        self.loanwords = loanwords
        self._suggested: dict[str, list[str]] = {}

    def known(self, word: str) -> bool:
        """Whether the dictionary, or the personal one, knows `word` (any apostrophe)."""
        word = unicodedata.normalize("NFC", word)  # dictionaries hold composed letters
        if word.lower() in self.dictionary:
            return True
        plain = word.translate(_APOSTROPHES)
        return self.speller.check(word) or (plain != word and self.speller.check(plain))

    def _parts_known(self, word: str) -> bool:
        """A hyphenated or elided word whose every part is known (or is a name or acronym)."""
        parts = [p for p in re.split(r"[-'’ʼ]", word) if p]
        return len(parts) > 1 and all(self.known(p) or _never_judged(p) for p in parts)

    def _loanword(self, word: str) -> bool:
        """An English word in another language's text (Start-ups, of, century): borrowed, or a
        title, never this language's misspelling."""
        return self.loanwords is not None and all(
            self.loanwords.check(part) for part in re.split(r"-", word) if part
        )

    def misspelled(self, word: str) -> list[str] | None:
        """The dictionary's suggestions for a misspelled `word`, or None if it is not one."""
        if _never_judged(word) or self.known(word) or self._parts_known(word):
            return None
        if self._loanword(word):
            return None
        suggestions = self._suggest(word)
        if word[0].isupper() and not self._capitalised_slip(word, suggestions):
            return None
        return suggestions[:_MAX_REPLACEMENTS]

    def _suggest(self, word: str) -> list[str]:
        """The dictionary's suggestions, once per word; past _SUGGESTED distinct words none are
        asked (Hunspell takes milliseconds a word: a text of invented words would take minutes)
        and an unknown word is still flagged, unless it is capitalised (then a name)."""
        if word not in self._suggested:
            if len(self._suggested) >= _SUGGESTED:
                return []
            self._suggested[word] = [s for s in self.speller.suggest(word) if s != word]
        return self._suggested[word]

    def _capitalised_slip(self, word: str, suggestions: list[str]) -> bool:
        """Whether an unknown capitalised word is a slip, not a name: one edit away from a
        suggestion that begins with the same letter (slips rarely hit a word's first letter;
        names are often a letter away from a word: Carter, Harter). Short ones are names."""
        if len(word) < _SHORTEST_NOUN:
            return False
        return any(
            _one_edit(word, s) and s[0].lower() == word[0].lower()
            for s in suggestions[:_MAX_REPLACEMENTS]
        )


def _never_judged(word: str) -> bool:
    """Single letters, acronyms, mixed case (iPhone, ZMapp) and words with digits."""
    return len(word) < 2 or any(c.isdigit() for c in word) or any(c.isupper() for c in word[1:])


def spelling_issues(
    speller: Speller,
    text: str,
    language: str,
    dictionary: frozenset[str],
    loanwords: Speller | None = None,
) -> Iterator[Issue]:
    """Misspelled words of `text` in `language`, with the dictionary's suggestions; words of
    the `loanwords` dictionary (English's) are taken as borrowed."""
    names = taxonomy()
    rule = names.speller(language)
    check = SpellingCheck(speller, language, dictionary, loanwords)
    script = _main_script(text)
    skipped = _skipped_spans(text, language)
    for match in _words().finditer(text):
        start, end = match.span()
        word = match.group()
        if skipped.overlaps(start, end) or _script(word[0]) != script:
            continue
        if is_unspaced(word[0]):
            continue  # Thai or Chinese: a run between spaces is a phrase, not a word
        if is_wide(word[0]) and primary(language) not in WIDE_LANGUAGES:
            continue  # Korean in a text checked as another language
        suggestions = check.misspelled(word)
        if suggestions is None:
            continue
        yield rule.issue(start, end, names.spelling_message, tuple(suggestions))
