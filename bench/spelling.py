"""Spelling beyond English: injected misspellings and clean sentences from FLORES-200 devtest,
Dragoman side by side with Hunspell alone (every word its dictionary does not know)."""

from __future__ import annotations

import asyncio
import csv
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from dragoman.chains.proofread import Corrector, ProofreadOptions, proofread
from dragoman.services.runtime import Runtime
from dragoman.services.spelling import LockedSpeller, dictionaries

from .common import CORPUS

# Language variant checked → FLORES-200 column (FLORES' Portuguese is Brazilian).
LANGUAGES = {
    "de-DE": "deu_Latn",
    "fr": "fra_Latn",
    "es": "spa_Latn",
    "pt-BR": "por_Latn",
    "ru": "rus_Cyrl",
    "uk": "ukr_Cyrl",
}
# Sentences per language; the served column waits for the language model on every flag.
SENTENCES = 100
EDITS = ("deleted", "inserted", "swapped", "replaced")
Span = tuple[int, int]


def flores(column: str, count: int) -> list[str]:
    """The first `count` sentences of a FLORES-200 devtest column."""
    with (CORPUS / "parallel" / "flores200" / "devtest.tsv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [row[column] for row in rows[:count]]


def _edit(word: str, kind: str, rng: random.Random, alphabet: str) -> str:
    i = rng.randrange(1, len(word) - 1)  # never the first letter: it decides name or noun
    if kind == "deleted":
        return word[:i] + word[i + 1 :]
    if kind == "inserted":
        return word[:i] + rng.choice(alphabet) + word[i:]
    if kind == "swapped":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice(alphabet.replace(word[i], "")) + word[i + 1 :]


def inject(
    sentence: str, speller: LockedSpeller, rng: random.Random, alphabet: str, kind: str
) -> tuple[str, Span, str] | None:
    """The sentence with one known word of 4+ letters misspelled by `kind` into a non-word."""
    words = [m for m in _words(sentence) if len(m[2]) >= 4 and speller.check(m[2])]
    rng.shuffle(words)
    for start, end, word in words:
        for _ in range(5):
            wrong = _edit(word, kind, rng, alphabet)
            if wrong != word and not speller.check(wrong):
                return sentence[:start] + wrong + sentence[end:], (start, start + len(wrong)), word
    return None


def _words(text: str) -> list[tuple[int, int, str]]:
    import re

    return [(m.start(), m.end(), m.group()) for m in re.finditer(r"[^\W\d_]+", text)]


def hunspell_alone(speller: LockedSpeller, text: str) -> list[Span]:
    """What a plain Hunspell run flags: every word (letters only) its dictionary does not know."""
    return [(s, e) for s, e, w in _words(text) if not speller.check(w)]


def _flags(
    runtime: Runtime, language: str, verify: bool, model: bool
) -> Callable[[str], list[Span]]:
    """Every issue proofreading finds in a text (any flag on a clean sentence is a false alarm)."""
    layers = runtime.layers("en-US")
    if not verify:
        layers.verifier = None
    if not model:
        layers.corrector = None
    elif layers.corrector is not None:  # whatever the preset's proofread_languages say
        layers.corrector = _every_language(layers.corrector)
    options = ProofreadOptions(language=language)

    def flags(text: str) -> list[Span]:
        result = asyncio.run(proofread(text, "text", options, layers))
        return [(i.offset, i.offset + i.length) for i in result.issues]

    return flags


def _every_language(corrector: Corrector) -> Corrector:
    """The same model correcting every language it has prompts for."""
    corrector.profile = replace(corrector.profile, proofreads=None)
    return corrector


def _score(flag: Callable[[str], list[Span]], clean: list[str], injected: list) -> dict[str, Any]:
    started = time.perf_counter()
    alarms = [bool(flag(s)) for s in clean]
    hits = [any(s < span[1] and span[0] < e for s, e in flag(text)) for text, span, _ in injected]
    seconds = time.perf_counter() - started
    words = sum(len(_words(s)) for s in clean) + sum(len(_words(t)) for t, _, _ in injected)
    return {
        "recall": round(sum(hits) / len(hits), 3),
        "false_alarms": round(sum(alarms) / len(alarms), 3),
        "s_per_1000_words": round(1000 * seconds / words, 2),
    }


def _suggested(runtime: Runtime, language: str, injected: list) -> float:
    """How often the misspelled word's first suggestion is the word it was."""
    layers = runtime.layers("en-US")
    layers.verifier = None
    options = ProofreadOptions(language=language)
    right = 0
    for text, span, original in injected:
        result = asyncio.run(proofread(text, "text", options, layers))
        right += any(
            i.offset == span[0] and i.replacements[:1] == (original,) for i in result.issues
        )
    return round(right / len(injected), 3)


_MEASURE = """
import json, sys, psutil
from dragoman.services.spelling import dictionaries
d = dictionaries(); before = psutil.Process().memory_info().rss
speller = d.speller(sys.argv[1]); speller.check("x")
print(json.dumps(round((psutil.Process().memory_info().rss - before) / 2**20, 1)))
"""


def _dictionary_mb(language: str) -> float:
    """Resident memory one loaded dictionary adds, measured in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, language], capture_output=True, text=True, check=True
    )
    return float(json.loads(done.stdout))


def run(runtime: Runtime) -> dict[str, Any]:
    """Every language: Hunspell alone, Dragoman's spelling layer, the layer with the embedded
    language model's verdict on each flag, and (where it has prompts for the language) with the
    model's corrections too, as served."""
    rows = []
    for language, column in LANGUAGES.items():
        speller = dictionaries().speller(language)
        assert speller is not None, f"no dictionary for {language}: run `make dictionaries`"
        clean = flores(column, SENTENCES)
        alphabet = "".join(sorted({c for s in clean for c in s.lower() if c.isalpha()}))
        rng = random.Random(f"spelling-{language}")
        injected = []
        for n, sentence in enumerate(clean):
            found = inject(sentence, speller, rng, alphabet, EDITS[n % len(EDITS)])
            if found:
                injected.append(found)
        rows.append(
            {
                "language": language,
                "sentences": len(clean),
                "injected": len(injected),
                "hunspell": _score(partial(hunspell_alone, speller), clean, injected),
                "layer": _score(_flags(runtime, language, False, False), clean, injected),
                "checked": _score(_flags(runtime, language, True, False), clean, injected),
                "served": (
                    _score(_flags(runtime, language, True, True), clean, injected)
                    if _every_language(runtime.corrector()).speaks(language)
                    else None
                ),
                "first_suggestion_right": _suggested(runtime, language, injected),
                "dictionary_mb": _dictionary_mb(language),
            }
        )
    return {"rows": rows}


def render(result: dict[str, Any], table: Any) -> list[str]:
    """§11 of docs/benchmarks.md."""
    rows = []
    for r in result["rows"]:
        for key, label in (
            ("hunspell", "Hunspell alone"),
            ("layer", "Dragoman's spelling layer"),
            ("checked", "+ the language model's verdict on each flag"),
            ("served", "+ the model's corrections (off for the embedded model)"),
        ):
            m = r.get(key)
            if m is None:
                continue
            rows.append([
                r["language"], label, f"{m['recall']:.3f}", f"{m['false_alarms']:.3f}",
                f"{m['s_per_1000_words']:.2f}",
            ])  # fmt: skip
    extra = [
        [r["language"], r["sentences"], r["injected"], f"{r['first_suggestion_right']:.3f}",
         f"{r['dictionary_mb']:.1f}"]
        for r in result["rows"]
    ]  # fmt: skip
    return [
        "",
        "## 11. Spelling beyond English",
        "",
        f"The first {SENTENCES} sentences of FLORES-200 devtest per language, each once as it is "
        "(false alarms: the share of these clean reference sentences with any flag) and "
        "once with one known word of four or more letters misspelled into a non-word, by a "
        "letter deleted, inserted, swapped with its neighbour or replaced, in turn (recall: the "
        "share of these whose misspelling is flagged). Hunspell alone flags every word its "
        "dictionary does not know; Dragoman's layer spares names, acronyms, codes, addresses, "
        "other scripts, loanwords and quotes in another language; then each flag waits for the "
        "embedded language model (Gemma 3 270M) to prefer a suggestion; where Dragoman has "
        "prompts for the language (German, French), the embedded model's own corrections are "
        "added, checked the same way. They double German's false alarms and add French ones, for "
        "one more misspelling found in German, so the embedded preset corrects English only (`proofread_languages`); the service runs the "
        "row above. Every issue counts, whatever its rule (`bench/spelling.py`).",
        "",
        table(["language", "checker", "recall", "false alarms", "s / 1,000 words"], rows),
        "",
        table(
            [
                "language",
                "sentences",
                "misspelled",
                "first suggestion is the word",
                "MB per dictionary",
            ],
            extra,
        ),
    ]
