"""Translation quality side by side: Dragoman against the same model called directly with the same
prompt, on FLORES-200 devtest and Tatoeba, scored with sacrebleu's chrF and BLEU."""

from __future__ import annotations

import asyncio
import csv
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sacrebleu

from dragoman.chains.translate import TranslateRequest, single_prompt, translate_document
from dragoman.services.catalog import load_catalog
from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from tests.llama_server import SMOLLM2, Missing, gemma_gguf, llama_server

from .common import CORPUS

FLORES = {"de": "deu_Latn", "fr": "fra_Latn", "es": "spa_Latn", "ru": "rus_Cyrl",
          "zh": "zho_Hans", "ja": "jpn_Jpan", "en": "eng_Latn"}  # fmt: skip
FLORES_PAIRS = [("de", "en"), ("fr", "en"), ("es", "en"), ("ru", "en"), ("zh", "en"),
                ("ja", "en"), ("en", "de")]  # fmt: skip
TATOEBA = {"de": "deu-eng.tsv", "fr": "fra-eng.tsv", "ja": "jpn-eng.tsv"}
SENTENCES = 30  # per pair: the first of each file, the same every run
# Samplers against repetition tried on each preset, against the preset as shipped (Dragoman only).
SAMPLER_TRIALS: dict[str, dict[str, float]] = {
    "embedded-gemma3-270m": {"repeat_penalty": 1.1},
    "gemma3-270m": {"dry_multiplier": 0.8, "dry_base": 1.75, "dry_allowed_length": 2},
}


def flores(source: str, target: str, count: int) -> list[tuple[str, str]]:
    """(source, reference) sentence pairs from FLORES-200 devtest."""
    with (CORPUS / "parallel" / "flores200" / "devtest.tsv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(r[FLORES[source]], r[FLORES[target]]) for r in rows[:count]]


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


async def _direct(runtime: Runtime, pairs: list[tuple[str, str]], source: str, target: str):
    """One call per sentence, the prompt Dragoman's first call sends, with the same budget."""
    model, profile = runtime.model("translate"), runtime.profile("translate")
    budget = runtime.translator().budget
    out = []
    for text, _ in pairs:
        prompt = single_prompt(profile, text, source, target)
        answer = await model.ainvoke(prompt, max_tokens=budget(text))
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


def _compare(runtime: Runtime, pairs: list[tuple[str, str]], source: str, target: str):
    """Both ways on the same sentences, timed in halves run in opposite orders (direct first,
    then Dragoman first), so that a machine that speeds up or slows down favours neither."""
    references = [reference for _, reference in pairs]
    asyncio.run(_direct(runtime, pairs[:1], source, target))  # both then find the prefix cached
    half = len(pairs) // 2
    direct: list[str] = []
    ours: list[str] = []
    seconds = {"direct": 0.0, "dragoman": 0.0}
    statuses: list[str] = []
    calls = 0
    for part, order in (
        (pairs[:half], ("direct", "dragoman")),
        (pairs[half:], ("dragoman", "direct")),
    ):
        for way in order:
            started = time.monotonic()
            if way == "direct":
                direct += asyncio.run(_direct(runtime, part, source, target))
            else:
                texts, counts, made = asyncio.run(_dragoman(runtime, part, source, target))
                ours += texts
                statuses += counts
                calls += made
            seconds[way] += time.monotonic() - started
    return {
        "pair": f"{source}→{target}",
        "sentences": len(pairs),
        "direct": {**_scores(direct, references, target), "seconds": round(seconds["direct"], 1)},
        "dragoman": {**_scores(ours, references, target), "seconds": round(seconds["dragoman"], 1)},
        "time_ratio": round(seconds["dragoman"] / max(seconds["direct"], 1e-6), 2),
        "statuses": dict(Counter(statuses)),
        "calls": calls,
        "answered": _answered(direct, ours, references, statuses, target),
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


def _ours_only(runtime: Runtime, pairs: list[tuple[str, str]], source: str, target: str):
    """Dragoman alone on the sentences: for comparing one model's settings with another's."""
    started = time.monotonic()
    texts, statuses, calls = asyncio.run(_dragoman(runtime, pairs, source, target))
    return {
        "pair": f"{source}→{target}",
        **_scores(texts, [reference for _, reference in pairs], target),
        "seconds": round(time.monotonic() - started, 1),
        "statuses": dict(Counter(statuses)),
        "calls": calls,
    }


def _suite(settings: Settings, preset: str, tatoeba_too: bool) -> dict[str, Any]:
    runtime = Runtime(settings)
    rows = [_compare(runtime, flores(s, t, SENTENCES), s, t) for s, t in FLORES_PAIRS]
    short = (
        [_compare(runtime, tatoeba(s, SENTENCES), s, "en") for s in TATOEBA] if tatoeba_too else []
    )
    suite: dict[str, Any] = {"flores": rows, "tatoeba": short}
    if preset in SAMPLER_TRIALS:
        samplers = SAMPLER_TRIALS[preset]
        trial = Runtime(settings, catalog=load_catalog().with_samplers(preset, samplers))
        pairs = [_ours_only(trial, flores(s, t, SENTENCES), s, t) for s, t in FLORES_PAIRS]
        suite["samplers"] = {"samplers": samplers, "flores": pairs}
    return suite


def _on_server(preset: str, model: Callable[[Path], Path], folder: Path) -> dict[str, Any]:
    with llama_server(model(folder), folder) as server:
        settings = Settings(backend="llama-server", base_url=server.base_url,
                            translate_preset=preset, data_dir=folder, memory=False,
                            warm_up=False)  # fmt: skip
        return _suite(settings, preset, tatoeba_too=False)


def run() -> dict[str, Any]:
    """Every pair with the embedded model, and with each real model behind llama-server."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        embedded = Settings(data_dir=folder, memory=False)
        results: dict[str, Any] = {
            "embedded-gemma3-270m": _suite(embedded, "embedded-gemma3-270m", tatoeba_too=True)
        }
        for preset, model in (("gemma3-270m", gemma_gguf), ("smollm2-135m", lambda f: SMOLLM2)):
            try:
                results[f"llama-server {preset}"] = _on_server(preset, model, folder)
            except Missing as exc:
                results[f"llama-server {preset}"] = {"skipped": str(exc)}
    return {"sentences_per_pair": SENTENCES, "models": results}


def render(result: dict[str, Any], table: Any) -> list[str]:
    """The section of docs/benchmarks.md for this benchmark."""
    out = [
        "## 7. Translation quality against direct model calls",
        "",
        f"The first {result['sentences_per_pair']} sentences of each pair of FLORES-200 devtest "
        "(and of Tatoeba, short everyday sentences), translated one by one: straight to the model "
        "with the prompt of Dragoman's first call and the same token budget (`direct`), and "
        "through Dragoman's `translate_document` with validation and repair (`Dragoman`). chrF "
        "and BLEU from sacrebleu against the references; time ratio = Dragoman ÷ direct. Both are "
        "timed on the same machine in one run, in halves run in opposite orders (direct first, "
        "then Dragoman first). A segment Dragoman gives up on keeps its source (`failed`); the "
        "last column compares the two on the other sentences (their count in brackets).",
        "",
    ]
    for name, suite in result["models"].items():
        out += [f"**{name}**", ""]
        if "skipped" in suite:
            out += [f"Not measured: {suite['skipped']}.", ""]
            continue
        for label, rows in (("FLORES-200", suite["flores"]), ("Tatoeba", suite["tatoeba"])):
            if rows:
                out += [table(
                    [label, "direct chrF", "Dragoman chrF", "direct BLEU", "Dragoman BLEU",
                     "direct s", "Dragoman s", "time ratio", "ok/repaired/fallback/failed",
                     "chrF where Dragoman answered: direct / Dragoman"],
                    [[r["pair"], r["direct"]["chrf"], r["dragoman"]["chrf"], r["direct"]["bleu"],
                      r["dragoman"]["bleu"], r["direct"]["seconds"], r["dragoman"]["seconds"],
                      r["time_ratio"],
                      "/".join(str(r["statuses"].get(s, 0))
                               for s in ("ok", "repaired", "fallback", "failed")),
                      _answered_cell(r.get("answered"))]
                     for r in rows],
                ), ""]  # fmt: skip
        if "samplers" in suite:
            out += _render_samplers(suite, table)
    return out


def _answered_cell(answered: dict[str, Any] | None) -> str:
    if not answered or answered["sentences"] == 0:
        return "–"
    return f"{answered['direct_chrf']} / {answered['dragoman_chrf']} ({answered['sentences']})"


def _render_samplers(suite: dict[str, Any], table: Any) -> list[str]:
    trial = suite["samplers"]
    named = ", ".join(f"{k} {v}" for k, v in trial["samplers"].items())
    shipped = {r["pair"]: r["dragoman"] for r in suite["flores"]}
    return [
        f"Samplers against repetition, Dragoman as shipped against Dragoman with {named}:",
        "",
        table(
            ["FLORES-200", "chrF as shipped", f"chrF with {named}", "BLEU as shipped",
             "BLEU with", "s as shipped", "s with", "ok/repaired/fallback/failed with"],
            [[r["pair"], shipped[r["pair"]]["chrf"], r["chrf"], shipped[r["pair"]]["bleu"],
              r["bleu"], shipped[r["pair"]]["seconds"], r["seconds"],
              "/".join(str(r["statuses"].get(s, 0))
                       for s in ("ok", "repaired", "fallback", "failed"))]
             for r in trial["flores"]],
        ),
        "",
    ]  # fmt: skip
