"""Which Hunspell binding: pyenchant (libenchant-2, Hunspell in C++) against spylls (Hunspell in
pure Python), on the same Debian dictionaries, each measured in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from .spelling import flores

LANGUAGES = {"de_DE": "deu_Latn", "es_ES": "spa_Latn", "ru_RU": "rus_Cyrl"}
WORDS, MISSPELT = 1000, 10

_MEASURE = """
import json, sys, time, psutil
engine, tag, words, wrong = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
process = psutil.Process()
before, started = process.memory_info().rss, time.perf_counter()
if engine == "pyenchant":
    import enchant
    broker = enchant.Broker(); broker.set_ordering(tag, "hunspell")
    dictionary = broker.request_dict(tag); check, suggest = dictionary.check, dictionary.suggest
else:
    from spylls.hunspell import Dictionary
    dictionary = Dictionary.from_files("/usr/share/hunspell/" + tag)
    check, suggest = dictionary.lookup, lambda w: list(dictionary.suggest(w))
load = time.perf_counter() - started
checks = []
for _ in range(3):
    started = time.perf_counter(); unknown = sum(not check(w) for w in words)
    checks.append(time.perf_counter() - started)
started = time.perf_counter(); suggestions = [suggest(w) for w in wrong]
print(json.dumps({
    "load_s": round(load, 2), "mb": round((process.memory_info().rss - before) / 2**20, 1),
    "check_ms": round(1000 * min(checks), 1), "unknown": unknown,
    "suggest_s": round(time.perf_counter() - started, 2),
}))
"""


def _words(column: str) -> tuple[list[str], list[str]]:
    """The first WORDS words of a FLORES column, and MISSPELT of them with a letter dropped."""
    words = [w.strip(".,;:!?\"'()«»„“”") for s in flores(column, 200) for w in s.split()]
    words = [w for w in words if w.isalpha()][:WORDS]
    long = list(dict.fromkeys(w for w in words if len(w) >= 6))[:MISSPELT]
    return words, [w[:3] + w[4:] for w in long]


def run() -> dict[str, Any]:
    """Load, check and suggest times and memory of both bindings, per dictionary."""
    rows = []
    for tag, column in LANGUAGES.items():
        words, wrong = _words(column)
        for engine in ("pyenchant", "spylls"):
            done = subprocess.run(
                [sys.executable, "-c", _MEASURE, engine, tag, json.dumps(words), json.dumps(wrong)],
                capture_output=True,
                text=True,
                check=True,
                timeout=1800,
            )
            rows.append({"dictionary": tag, "engine": engine, **json.loads(done.stdout)})
    return {"rows": rows, "words": WORDS, "misspelt": MISSPELT}


def render(result: dict[str, Any], table: Any) -> list[str]:
    """The binding comparison under §11."""
    rows = [
        [r["dictionary"], r["engine"], r["load_s"], r["mb"], r["check_ms"], r["unknown"],
         r["suggest_s"]]
        for r in result["rows"]
    ]  # fmt: skip
    return [
        "",
        "### Which Hunspell binding",
        "",
        f"The same Debian dictionary through pyenchant (libenchant-2) and through spylls (a pure-"
        f"Python Hunspell), each in a fresh process: loading it, checking the first "
        f"{result['words']} words of FLORES-200 devtest (best of three), and suggesting for "
        f"{result['misspelt']} of them with a letter dropped (`bench/spellers.py`). Both reject "
        "the same words; Dragoman uses pyenchant.",
        "",
        table(
            [
                "dictionary",
                "binding",
                "load s",
                "MB",
                f"check {result['words']} words, ms",
                "unknown",
                f"suggest × {result['misspelt']}, s",
            ],
            rows,
        ),  # fmt: skip
    ]
