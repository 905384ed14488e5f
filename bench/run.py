"""Run every benchmark and write docs/benchmarks.md with its tables and plots."""

from __future__ import annotations

import datetime
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from dragoman.services.runtime import Runtime  # noqa: E402
from dragoman.services.settings import Settings  # noqa: E402

from . import (  # noqa: E402
    builds,
    fewshot,
    fidelity,
    grammar,
    grammar_page,
    growth,
    llama_server,
    lt_suite,
    memory,
    memory_page,
    pool,
    proofreading,
    quality,
    reliability,
    reliability_page,
    speed,
    spellers,
    spelling,
    subtitles,
    throughput,
)
from .common import DOCS, PLOTS, machine, table  # noqa: E402


def plot_throughput(rows: list[dict[str, Any]]) -> str:
    PLOTS.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.plot([r["pages"] for r in rows], [r["segments_per_s"] for r in rows], marker="o")
    ax.set_xlabel("pages translated at once")
    ax.set_ylabel("segments per second")
    ax.set_xscale("log", base=2)
    ax.set_title("Throughput, fake backend with 4 slots")
    fig.tight_layout()
    fig.savefig(PLOTS / "throughput.png", dpi=110)
    plt.close(fig)
    return "bench/throughput.png"


def plot_passive(rows: list[dict[str, Any]]) -> str:
    fig, ax = plt.subplots(figsize=(6, 3.6))
    labels = [r["file"].removesuffix(".tsv") for r in rows]
    x = range(len(rows))
    for offset, (key, name) in enumerate(
        [("parse", "dependency parse"), ("regex", "be + participle regex")]
    ):
        ax.bar(
            [i + offset * 0.2 - 0.3 for i in x],
            [r[key]["precision"] for r in rows],
            0.2,
            label=f"{name} P",
        )
        ax.bar(
            [i + offset * 0.2 + 0.1 for i in x],
            [r[key]["recall"] for r in rows],
            0.2,
            label=f"{name} R",
        )
    ax.set_xticks(list(x), labels, fontsize=7)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
    ax.set_title("Passive voice: precision and recall")
    fig.tight_layout()
    fig.savefig(PLOTS / "passive.png", dpi=110)
    plt.close(fig)
    return "bench/passive.png"


def steps(runtime: Runtime, posts: list[str], folder: Path) -> dict[str, Callable[[], Any]]:
    """Every benchmark by name."""
    return {
        "fidelity": lambda: fidelity.run(runtime),
        "overhead": lambda: speed.overhead_embedded(runtime, posts),
        "overhead_fake": lambda: speed.overhead_fake(posts),
        "memory_run_embedded": lambda: speed.memory_second_run_embedded(runtime, posts, folder),
        "batching": lambda: speed.batching_vs_naive(posts),
        "memory_run": lambda: speed.memory_second_run(posts, folder),
        "throughput": throughput.run,
        "passive": lambda: proofreading.passive(runtime.nlp()),
        "grammar": lambda: grammar.run(runtime),
        "serve": lambda: memory.run(posts[:6]),
        "llama_server": lambda: llama_server.run(posts),
        "quality": quality.run,
        "fewshot": fewshot.run,
        "pool": pool.run,
        "lt_suite": lt_suite.run,
        "reliability": reliability.run,
        "spelling": lambda: spelling.run(runtime),
        "spellers": spellers.run,
        "builds": builds.run,
        "growth": growth.run,
        "subtitles": lambda: subtitles.run(runtime),
    }


def main(only: list[str]) -> None:
    """Run the named benchmarks (all by default), keep the other results, and rewrite the page."""
    started = time.monotonic()
    path = DOCS / "bench" / "results.json"
    results: dict[str, Any] = json.loads(path.read_text()) if only and path.exists() else {}
    with tempfile.TemporaryDirectory() as folder:
        runtime = Runtime(Settings(data_dir=Path(folder), memory=False))
        named = steps(runtime, speed.page_posts(), Path(folder))
        unknown = sorted(set(only) - set(named))
        if unknown:
            raise SystemExit(f"unknown benchmarks {unknown}; choose from: {', '.join(named)}")
        for name, step in named.items():
            if only and name not in only:
                continue
            t = time.monotonic()
            results[name] = step()
            print(f"{name}: {time.monotonic() - t:.1f} s", flush=True)
            # Kept after every step: a later step that fails loses nothing measured before it.
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(results, indent=2))
    if not only:
        results["seconds"] = round(time.monotonic() - started)
    results["date"] = datetime.date.today().isoformat()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2))
    (DOCS / "benchmarks.md").write_text(render(results))
    print(f"wrote docs/benchmarks.md in {round(time.monotonic() - started)} s")


def render(r: dict[str, Any]) -> str:
    pages = r["fidelity"]["pages"]
    broken = [p for p in pages if not (p["echo"] and p["pseudo"])]
    emb = r["fidelity"]["embedded"]
    total = sum(emb["statuses"].values()) or 1
    o, b, m, s = r["overhead"], r["batching"], r["memory_run"], r["serve"]
    st = s["now"]["shipped"]["stream"]
    of, me = r["overhead_fake"], r["memory_run_embedded"]
    out = [
        "# Benchmarks",
        "",
        f"Produced by `make bench` on {r.get('date', 'an earlier day')}, {machine()}; the full run took {r['seconds']} s. "
        "Every number below comes from a committed run (raw data: `docs/bench/results.json`); "
        "`make bench ONLY=name` reruns one benchmark and keeps the others' results.",
        "",
        "## 1. Markup fidelity",
        "",
        f"Over all {len(pages)} pages of `../shared/corpus/html` ({sum(p['segments'] for p in pages)} segments), "
        "compared as a browser sees them (the trees html5lib builds from input and output, with html5lib's two "
        "departures from today's HTML spec brought up to date and checked against Chromium, `tests/trees.py`; "
        "the browser tier compares the same in Chromium itself, `tests/browser/test_corpus_in_chromium.py`: "
        "element names, "
        "attributes other than title/alt/placeholder/aria-label, comments, and the text of code, pre, kbd, samp, "
        "script, style and textarea; under the echo, all text too): "
        f"the tree is preserved under an echoing model on **{sum(p['echo'] for p in pages)} of {len(pages)}** pages and under the pseudo "
        f"backend on **{sum(p['pseudo'] for p in pages)} of {len(pages)}**."
        + (f" Not preserved: {', '.join(p['file'] for p in broken)}." if broken else "")
        + (
            " Why, page by page: `KNOWN_EXCEPTIONS` in `tests/test_corpus_roundtrip.py`."
            if broken
            else ""
        ),
        "",
        *(
            [
                "Parse and write back, milliseconds per page (median of 3 passes over the corpus; Dragoman parsed "
                "with html.parser before, with lexbor now; html5lib for comparison; `html5-parser` does not import "
                "against the lxml wheel from PyPI, which bundles another libxml2):",
                "",
                table(
                    ["parser", "ms per page"],
                    [[k, v] for k, v in r["fidelity"]["parse_ms"].items()],
                ),
                "",
            ]
            if "parse_ms" in r["fidelity"]
            else []
        ),
        f"The embedded Gemma 3 270M on up to four posts of each of {len(emb['pages'])} German forum pages "
        f"({total} segments, {emb['seconds']} s):",
        "",
        table(
            ["ok", "repaired", "fallback", "failed"],
            [
                [
                    f"{100 * emb['statuses'].get(k, 0) / total:.0f}%"
                    for k in ("ok", "repaired", "fallback", "failed")
                ]
            ],
        ),
        "",
        "## 2. Speed on real forum pages",
        "",
        f"**(a) Overhead.** {o['segments']} segments of a German forum page, embedded model, median of "
        f"{o['rounds']} alternating rounds: sent one by one straight to llama.cpp {o['direct_s']} s; through Dragoman "
        f"{o['dragoman_s']} s ({o['dragoman_calls']} model calls), ratio **{o['ratio']}** (goal: under 1.05; calls "
        "beyond one per segment are repairs, and Dragoman calls the in-process model from a worker thread). "
        f"On the fake backend whose latency grows with tokens (same {of['segments']} segments, one call each): "
        f"direct {of['direct_s']} s, Dragoman {of['dragoman_s']} s, ratio **{of['ratio']}**.",
        "",
        f"**(b) Batching, dedupe and prefix reuse against one request per post's whole innerHTML** ({b['posts']} posts, "
        "fake backend whose time grows with prompt and generated tokens and which reuses an identical prompt prefix):",
        "",
        table(
            ["approach", "requests", "model seconds"],
            [
                ["whole innerHTML per post", b["naive"]["requests"], b["naive"]["model_seconds"]],
                ["Dragoman", b["dragoman"]["requests"], b["dragoman"]["model_seconds"]],
            ],
        ),
        "",
        f"Dragoman spends {b['speedup']}× less model time here: the model never sees tags or attributes, and "
        "repeated segments are translated once.",
        "",
        f"**(c) Translation memory.** The same page twice: first run {m['first']['requests']} requests "
        f"({m['first']['model_seconds']} model seconds), second run {m['second']['requests']} requests in "
        f"{m['second']['wall_s']} s. With the embedded model, three posts: first run {me['first']['calls']} model calls "
        f"in {me['first']['wall_s']} s, second run {me['second']['calls']} calls in {me['second']['wall_s']} s "
        "(segments that fell back or failed are asked again: only ok and repaired answers are remembered).",
        "",
        f"**(d) Time to the first translated post** on `/v1/translate/stream` with the embedded model: "
        f"{st['first_s']} s for the first of {st['posts']} posts, {st['all_s']} s for all "
        f"(medians of {st['runs']} runs on the running service; the first page after start "
        f"{st['first_after_start_s']} s; §5 has the service's start-up).",
        "",
        "## 3. Throughput under concurrency",
        "",
        table(
            ["pages at once", "segments", "requests", "segments/s"],
            [
                [x["pages"], x["segments"], x["requests"], x["segments_per_s"]]
                for x in r["throughput"]
            ],
        ),
        "",
        f"![throughput]({plot_throughput(r['throughput'])})",
        "",
        "## 4. Proofreading accuracy",
        "",
        "Passive voice, sentence level:",
        "",
        table(
            ["file", "sentences", "parse P", "parse R", "regex P", "regex R"],
            [
                [
                    x["file"],
                    x["sentences"],
                    x["parse"]["precision"],
                    x["parse"]["recall"],
                    x["regex"]["precision"],
                    x["regex"]["recall"],
                ]
                for x in r["passive"]
            ],
        ),
        "",
        f"![passive]({plot_passive(r['passive'])})",
        "",
        *(
            grammar_page.render(r["grammar"], r.get("passive"), table)
            if "rows" in r.get("grammar", {})
            else []
        ),
        *memory_page.render(s, table),
    ]
    if "llama_server" in r:
        out += llama_server.render(r["llama_server"], table)
    if "quality" in r:
        out += quality.render(r["quality"], table)
    if "fewshot" in r:
        out += fewshot.render(r["fewshot"], table)
    if "lt_suite" in r:
        out += lt_suite.render(r["lt_suite"], table)
    if "pool" in r:
        out += pool.render(r["pool"], table)
    if "reliability" in r:
        out += reliability_page.render(r["reliability"], table)
    if "spelling" in r:
        out += spelling.render(r["spelling"], table)
    if "spellers" in r:
        out += spellers.render(r["spellers"], table)
    if "builds" in r:
        out += builds.render(r["builds"], table)
    if "growth" in r:
        out += growth.render(r["growth"], table)
    if "subtitles" in r:
        out += subtitles.render(r["subtitles"], table)
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    if "--render-only" in sys.argv:  # rewrite the page and plots from the last run's data
        data = json.loads((DOCS / "bench" / "results.json").read_text())
        (DOCS / "benchmarks.md").write_text(render(data))
    else:
        main(sys.argv[1:])
