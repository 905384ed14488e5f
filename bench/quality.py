"""Translation quality side by side, on FLORES-200 devtest and Tatoeba, scored with sacrebleu's
chrF (paired bootstrap for each difference claimed) and BLEU. Three ways on the same sentences:
the model called directly with the prompt of Dragoman's first call, the model called directly
with the prompt a user would write (`bench/strong_prompt.toml`), and Dragoman itself; and beside
them Dragoman with the few-shot examples of the revision BEFORE names (default 04620a4)."""

from __future__ import annotations

import asyncio
import csv
import os
import subprocess
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

import sacrebleu

from dragoman.chains import language_name
from dragoman.chains.translate import TranslateRequest, single_prompt, translate_document
from dragoman.prompts import load_data
from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from tests.llama_server import Missing, gemma_gguf, llama_server

from . import quality_page
from .common import CORPUS, ROOT
from .paired import paired_chrf

FLORES = {"de": "deu_Latn", "fr": "fra_Latn", "es": "spa_Latn", "ru": "rus_Cyrl",
          "zh": "zho_Hans", "ja": "jpn_Jpan", "en": "eng_Latn"}  # fmt: skip
# (source, target, first row, rows): ≥ 100 sentences where a 2-point difference must show; the
# examples were chosen on the first de→en slice only, so the others are held out.
SLICES = [("de", "en", 0, 100), ("de", "en", 100, 100), ("fr", "en", 0, 100)]
# The other pairs, and the tuned slice behind llama-server: QUALITY_EXTRA=1. Left out by default to
# keep a run under half an hour on two shared cores (a 100-sentence slice took 100–200 s per way).
EXTRA_SLICES = [("es", "en", 0, 30), ("ru", "en", 0, 30), ("zh", "en", 0, 30),
                ("ja", "en", 0, 30), ("en", "de", 0, 30)]  # fmt: skip
TUNED = ("de", "en", 0, 100)
TATOEBA = {"de": "deu-eng.tsv", "fr": "fra-eng.tsv", "ja": "jpn-eng.tsv"}
TATOEBA_SLICES = [("de", 100)]
BEFORE = os.environ.get("BEFORE", "04620a4")  # the revision whose few-shot examples we replaced


def flores(source: str, target: str, start: int, count: int) -> list[tuple[str, str]]:
    """(source, reference) sentence pairs from FLORES-200 devtest, rows start..start+count."""
    with (CORPUS / "parallel" / "flores200" / "devtest.tsv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(r[FLORES[source]], r[FLORES[target]]) for r in rows[start : start + count]]


def tatoeba(source: str, count: int) -> list[tuple[str, str]]:
    """(source, English) pairs from Tatoeba: short, forum-like sentences."""
    path = CORPUS / "parallel" / "tatoeba" / TATOEBA[source]
    with path.open(encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    return [(row[2], row[3]) for row in rows[:count]]


def _scores(hypotheses: list[str], references: list[str], target: str) -> dict[str, float]:
    tokenize = {"zh": "zh", "ja": "ja-mecab"}.get(target, "13a")
    bleu = sacrebleu.corpus_bleu(hypotheses, [references], tokenize=tokenize)
    chrf = sacrebleu.corpus_chrf(hypotheses, [references])
    return {"chrf": round(chrf.score, 1), "bleu": round(bleu.score, 1)}


@cache
def _strong_examples() -> dict[str, list[str]]:
    text = (Path(__file__).parent / "strong_prompt.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["sentences"]


def strong_prompt(text: str, source: str, target: str) -> str:
    """The completion prompt a user would write: their own examples, then the sentence."""
    bank = _strong_examples()
    src, tgt = language_name(source), language_name(target)
    shots = "".join(
        f"{src}: {s}\n{tgt}: {t}\n\n" for s, t in zip(bank[source], bank[target], strict=True)
    )
    return f"{shots}{src}: {text}\n{tgt}:"


@contextmanager
def examples_of(revision: str) -> Iterator[None]:
    """Dragoman with the few-shot examples of `revision` (its code and everything else as now)."""
    shown = subprocess.run(["git", "-C", str(ROOT), "show", f"{revision}:prompts/translate.examples.toml"], capture_output=True, text=True, check=True).stdout  # fmt: skip
    with mock.patch.dict(load_data("translate.examples")["sentences"], tomllib.loads(shown)["sentences"], clear=True):  # fmt: skip
        yield


async def _direct(runtime: Runtime, pairs: list[tuple[str, str]], source: str, target: str,
                  prompt_of: Callable[[str], Any] | None = None) -> list[str]:  # fmt: skip
    """One call per sentence with the same budget: the prompt of Dragoman's first call, or
    `prompt_of(text)`."""
    model, profile = runtime.models.model("translate"), runtime.models.profile("translate")
    budget = runtime.translator().budget
    out = []
    for text, _ in pairs:
        prompt = prompt_of(text) if prompt_of else single_prompt(profile, text, source, target)
        answer = await model.ainvoke(prompt, max_tokens=await budget(text))
        content = answer.content if hasattr(answer, "content") else answer
        out.append(str(content).strip().split("\n")[0])
    return out


async def _dragoman(runtime: Runtime, pairs: list[tuple[str, str]], source: str, target: str):
    translator = runtime.translator()
    texts, statuses = [], []
    for text, _ in pairs:
        result = await translate_document(translator, TranslateRequest(text, target, source))
        texts.append(result.text.strip())
        statuses.append(result.status)
    return texts, statuses, translator.calls


def _timed(way: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    return way(), round(time.monotonic() - started, 1)


def _compare(runtime: Runtime, pairs: list[tuple[str, str]], source: str, target: str,
             label: str, before: bool) -> dict[str, Any]:  # fmt: skip
    """Every way on the same sentences. Direct and Dragoman are timed in halves run in opposite
    orders, so that a machine that speeds up or slows down favours neither."""
    references = [reference for _, reference in pairs]
    asyncio.run(_direct(runtime, pairs[:1], source, target))  # both then find the prefix cached
    half = len(pairs) // 2
    out: dict[str, list[str]] = {"direct": [], "dragoman": []}
    seconds = {"direct": 0.0, "dragoman": 0.0}
    statuses: list[str] = []
    calls = 0
    for part, order in ((pairs[:half], ("direct", "dragoman")), (pairs[half:], ("dragoman", "direct"))):  # fmt: skip
        for way in order:
            started = time.monotonic()
            if way == "direct":
                out["direct"] += asyncio.run(_direct(runtime, part, source, target))
            else:
                texts, counts, made = asyncio.run(_dragoman(runtime, part, source, target))
                out["dragoman"] += texts
                statuses += counts
                calls += made
            seconds[way] += time.monotonic() - started
    strong = lambda text: strong_prompt(text, source, target)  # noqa: E731
    out["strong"], seconds["strong"] = _timed(lambda: asyncio.run(_direct(runtime, pairs, source, target, strong)))  # fmt: skip
    if before:
        with examples_of(BEFORE):
            (out["dragoman_before"], before_statuses, _), seconds["dragoman_before"] = _timed(lambda: asyncio.run(_dragoman(runtime, pairs, source, target)))  # fmt: skip
    systems = {name: {**_scores(texts, references, target), "seconds": round(seconds[name], 1)}
               for name, texts in out.items()}  # fmt: skip
    if before:
        systems["dragoman_before"]["statuses"] = dict(Counter(before_statuses))
    differences = {
        "dragoman−strong": paired_chrf(out["strong"], out["dragoman"], references),
        "direct−strong": paired_chrf(out["strong"], out["direct"], references),
        "dragoman−direct": paired_chrf(out["direct"], out["dragoman"], references),
    }
    if before:
        differences["dragoman−dragoman_before"] = paired_chrf(out["dragoman_before"], out["dragoman"], references)  # fmt: skip
        differences["dragoman_before−strong"] = paired_chrf(out["strong"], out["dragoman_before"], references)  # fmt: skip
    return {
        "pair": f"{source}→{target}",
        "slice": label,
        "sentences": len(pairs),
        **systems,
        "differences": differences,
        "time_ratio": round(seconds["dragoman"] / max(seconds["direct"], 1e-6), 2),
        "statuses": dict(Counter(statuses)),
        "calls": calls,
        "answered": _answered(out["direct"], out["dragoman"], references, statuses, target),
    }


def _answered(
    direct: list[str], ours: list[str], references: list[str], statuses: list[str], target: str
) -> dict[str, Any]:
    """chrF of both on the sentences Dragoman did not give up on (a `failed` one keeps its
    source): whether validation costs quality where Dragoman does answer."""
    kept = [n for n, status in enumerate(statuses) if status != "failed"]
    if not kept:
        return {"sentences": 0, "direct_chrf": None, "dragoman_chrf": None}
    refs = [references[n] for n in kept]
    return {
        "sentences": len(kept),
        "direct_chrf": _scores([direct[n] for n in kept], refs, target)["chrf"],
        "dragoman_chrf": _scores([ours[n] for n in kept], refs, target)["chrf"],
    }


def _suite(settings: Settings, slices: list[tuple[str, str, int, int]], tatoeba_too: bool):
    runtime = Runtime(settings)
    rows = []
    for source, target, start, count in slices:
        label = f"FLORES {start + 1}–{start + count}"
        before = count >= 100
        rows.append(_compare(runtime, flores(source, target, start, count), source, target, label, before))  # fmt: skip
        rows[-1]["tuned_on"] = (source, target, start, count) == TUNED
    short = []
    for source, count in TATOEBA_SLICES if tatoeba_too else []:
        short.append(_compare(runtime, tatoeba(source, count), source, "en", f"Tatoeba 1–{count}", True))  # fmt: skip
    return {"flores": rows, "tatoeba": short}


def _on_server(folder: Path) -> dict[str, Any]:
    with llama_server(gemma_gguf(folder), folder) as server:
        settings = Settings(backend="llama-server", base_url=server.base_url,
                            translate_preset="gemma3-270m", data_dir=folder, memory=False,
                            warm_up=False)  # fmt: skip
        return _suite(settings, [TUNED], tatoeba_too=False)


def run() -> dict[str, Any]:
    """The 100-sentence slices and Tatoeba with the embedded model; with QUALITY_EXTRA=1 the
    other pairs too, and the tuned de→en slice behind llama-server."""
    extra = os.environ.get("QUALITY_EXTRA") == "1"
    only = os.environ.get("QUALITY_SLICES")  # e.g. "de-en-0-100", for trying examples quickly
    slices = SLICES + (EXTRA_SLICES if extra else [])
    slices = [s for s in slices if not only or "-".join(map(str, s)) in only.split(",")]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        embedded = Settings(data_dir=folder, memory=False)
        results: dict[str, Any] = {
            "embedded-gemma3-270m": _suite(embedded, slices, tatoeba_too=not only)
        }
        if extra and not only:
            try:
                results["llama-server gemma3-270m"] = _on_server(folder)
            except Missing as exc:
                results["llama-server gemma3-270m"] = {"skipped": str(exc)}
    return {"before": BEFORE, "extra": extra, "models": results}


def render(result: dict[str, Any], table: Any) -> list[str]:
    """The section of docs/benchmarks.md for this benchmark."""
    return quality_page.render(result, table)
