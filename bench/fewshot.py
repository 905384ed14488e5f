"""Few-shot examples from the translation memory: Dragoman with its memory's closest matches in
the prompt against the same run without them, on work where a memory helps. Each way starts from
the same memory (a copy of one database file) and keeps what it translates, as the service does.

- Tatoeba de→en: sentences 1–100, with sentences 101–300 and their human translations in the
  memory (a translation memory imported from earlier work).
- A forum thread, post by post: WMT23 ru→en user reviews in document order; the memory holds
  only what Dragoman translated before in the same run (no human translations at all).
- A second version of a document: FLORES de→en rows 1–200 with their figures and names changed
  (in the source and the reference alike); the memory holds version 1, either as post-edited
  (its references) or as Dragoman translated it.
"""

from __future__ import annotations

import asyncio
import csv
import re
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import sacrebleu

from dragoman.chains.translate import TranslateRequest, translate_document
from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from dragoman.services.tmx import remember_translations

from .common import CORPUS
from .paired import paired_chrf
from .quality import flores, tatoeba

_DIGITS = re.compile(r"\d+")
_NAME = re.compile(r"\b[A-Z][a-z]{2,}\b")
THREAD_SEGMENTS = 100


def second_version(pairs: list[tuple[str, str]]) -> list[tuple[int, str, str]]:
    """(row, source, reference) for each pair whose figures or names (tokens written the same in
    both) are changed alike in both: another figure, another of the slice's names."""
    shared = [
        (set(_NAME.findall(s)) & set(_NAME.findall(r)), set(_DIGITS.findall(s)) & set(_DIGITS.findall(r)))
        for s, r in pairs
    ]  # fmt: skip
    names = sorted(set().union(*(n for n, _ in shared)))
    other = dict(zip(names, names[1:] + names[:1], strict=True))
    out = []
    for row, ((source, reference), (found_names, figures)) in enumerate(zip(pairs, shared, strict=True)):  # fmt: skip
        if not found_names and not figures:
            continue
        swap = {**{n: other[n] for n in found_names}, **{f: str(int(f) + 3) for f in figures}}
        out.append((row, _swapped(source, swap), _swapped(reference, swap)))
    return out


def _swapped(text: str, swap: dict[str, str]) -> str:
    words = "|".join(map(re.escape, sorted(swap, key=len, reverse=True)))
    return re.sub(rf"\b({words})\b", lambda m: swap[m.group(1)], text)


def forum_thread(count: int) -> list[tuple[str, str]]:
    """(source, reference) of WMT23 ru→en user reviews in document order."""
    path = CORPUS / "parallel" / "wmt23" / "generaltest2023.ru-en.tsv"
    with path.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if r["domain"] == "reviews"]  # fmt: skip
    return [(r["source"], r["reference"]) for r in rows[:count]]


LOOSE_MATCH = 0.3  # a looser threshold than the default, to see whether more examples help


def _settings(folder: Path, examples: int, match: float | None = None) -> Settings:
    loose = {} if match is None else {"memory_match": match}
    return Settings(data_dir=folder, memory=True, memory_examples=examples, warm_up=False, **loose)


def _import(folder: Path, pairs: list[tuple[str, str]], source: str, target: str) -> None:
    """Fill the memory with human translations, as `dragoman memory import` does."""
    runtime = Runtime(_settings(folder, 0))
    assert runtime.stores.memory is not None
    remember_translations(runtime.stores.memory, pairs, source, target)
    runtime.stores.memory.close()


def _translate(folder: Path, texts: list[str], source: str, target: str, examples: int,
               match: float | None = None):  # fmt: skip
    """Translate one by one through a runtime on the memory in `folder`."""
    runtime = Runtime(_settings(folder, examples, match))
    out, statuses = [], []
    shown = 0
    started = time.monotonic()

    async def run() -> None:
        for text in texts:
            translator = runtime.translator()
            result = await translate_document(translator, TranslateRequest(text, target, source))
            out.append(result.text.strip())
            statuses.append(result.status)
            nonlocal shown
            shown += translator.examples_shown

    asyncio.run(run())
    seconds = round(time.monotonic() - started, 1)
    assert runtime.stores.memory is not None
    runtime.stores.memory.close()
    return out, dict(Counter(statuses)), seconds, shown


def _compare(memory: Path, pairs: list[tuple[str, str]], source: str, target: str,
             match: float | None = None) -> dict[str, Any]:  # fmt: skip
    """With and without memory examples, each from a copy of the same memory."""
    texts = [s for s, _ in pairs]
    references = [r for _, r in pairs]
    ways: dict[str, Any] = {}
    for name, examples in (("without", 0), ("with", Settings().memory_examples)):
        with tempfile.TemporaryDirectory() as copy:
            if (memory / "memory.sqlite3").exists():
                shutil.copy(memory / "memory.sqlite3", Path(copy) / "memory.sqlite3")
            hypotheses, statuses, seconds, shown = _translate(Path(copy), texts, source, target, examples, match)  # fmt: skip
        chrf = sacrebleu.corpus_chrf(hypotheses, [references]).score
        ways[name] = {"chrf": round(chrf, 1), "statuses": statuses, "seconds": seconds, "texts": hypotheses, "shown": shown}  # fmt: skip
    return {
        "pair": f"{source}→{target}",
        "sentences": len(pairs),
        "without": {k: v for k, v in ways["without"].items() if k != "texts"},
        "with": {k: v for k, v in ways["with"].items() if k != "texts"},
        "gain": paired_chrf(ways["without"]["texts"], ways["with"]["texts"], references),
    }


def run() -> dict[str, Any]:
    """Every scenario with the embedded model."""
    defaults = Settings()
    out: dict[str, Any] = {"examples": defaults.memory_examples, "match": defaults.memory_match}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name) / "tatoeba"
        every = tatoeba("de", 300)
        _import(folder, every[100:], "de", "en")
        out["tatoeba"] = _compare(folder, every[:100], "de", "en")
        out["tatoeba_loose"] = _compare(folder, every[:100], "de", "en", LOOSE_MATCH)
        out["thread"] = _compare(Path(name) / "thread", forum_thread(THREAD_SEGMENTS), "ru", "en")
        first = flores("de", "en", 0, 200)
        changed = second_version(first)
        v2 = [(s, r) for _, s, r in changed]
        edited = Path(name) / "post-edited"
        _import(edited, first, "de", "en")
        out["version_post_edited"] = _compare(edited, v2, "de", "en")
        own = Path(name) / "own"
        _translate(own, [s for s, _ in first], "de", "en", 0)
        out["version_own"] = _compare(own, v2, "de", "en")
    return out


_SCENARIOS = {
    "tatoeba": "Tatoeba de→en 1–100; the memory holds sentences 101–300 with their human translations",
    "tatoeba_loose": f"the same, with memory_match = {LOOSE_MATCH}",
    "thread": f"Forum thread: WMT23 ru→en user reviews 1–{THREAD_SEGMENTS} in document order; the memory holds only Dragoman's own earlier translations",
    "version_post_edited": "Second version of a document: FLORES de→en 1–200 with figures and names changed; the memory holds version 1 post-edited (its references)",
    "version_own": "Second version of a document, as above; the memory holds version 1 as Dragoman translated it",
}  # fmt: skip


def render(result: dict[str, Any], table: Any) -> list[str]:
    """The memory few-shot part of docs/benchmarks.md §7."""
    lines = [
        "",
        "### Few-shot from the translation memory",
        "",
        f"Dragoman (embedded Gemma 3 270M) with up to {result['examples']} of its memory's closest "
        f"segments (at least {result['match']:.0%} of words in common, in order) shown as examples "
        "before each sentence, against the same run without them (`memory_examples = 0`). Both "
        "start from a copy of the same memory and keep what they translate, as the service does. "
        "chrF with the 95% paired-bootstrap interval of the gain and its p-value (`bench/fewshot.py`).",
        "",
    ]
    rows = []
    for key, label in _SCENARIOS.items():
        if key not in result:
            continue
        r = result[key]
        gain = r["gain"]
        judged = f"{gain['difference']:+.1f} [{gain['ci95'][0]:+.1f}, {gain['ci95'][1]:+.1f}] p={gain['p']}"  # fmt: skip
        if not r["with"]["shown"]:
            judged = "no example close enough: identical answers"
        rows.append([
            label, f"{r['sentences']} ({r['with']['shown']})", f"{r['without']['chrf']:.1f}", f"{r['with']['chrf']:.1f}",
            judged,
            f"{r['without']['seconds']} / {r['with']['seconds']}",
            _statuses(r["without"]["statuses"]) + " / " + _statuses(r["with"]["statuses"]),
        ])  # fmt: skip
    header = ["work", "sentences (with examples)", "chrF without examples", "chrF with", "gain",
              "s: without / with", "ok/repaired/fallback/failed: without / with"]  # fmt: skip
    return [*lines, table(header, rows), ""]


def _statuses(counts: dict[str, int]) -> str:
    return "/".join(str(counts.get(s, 0)) for s in ("ok", "repaired", "fallback", "failed"))
