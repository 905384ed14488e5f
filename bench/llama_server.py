"""Real models behind a real llama-server: statuses with and without constrained batches, prompt
tokens taken from the slot cache (the server's own counters), and seconds per segment."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from dragoman.chains.markup import HtmlDocument
from dragoman.chains.translate import TranslateRequest, translate_document
from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from tests.llama_server import SMOLLM2, LlamaServer, Missing, gemma_gguf, llama_server

from .common import timer

# (preset, model file, constrained settings to compare); a completion preset sends no batches.
MODELS = [
    ("smollm2-135m", lambda folder: SMOLLM2, [False, True]),
    ("gemma3-270m", gemma_gguf, [False]),
]


def _run_pages(server: LlamaServer, preset: str, posts: list[str], constrained: bool, folder: Path):
    runtime = Runtime(
        Settings(
            backend="llama-server",
            base_url=server.base_url,
            translate_preset=preset,
            data_dir=folder,
            memory=False,
            warm_up=False,
            constrained=constrained,
        )
    )
    translator = runtime.translator()
    counters = server.metrics()
    statuses: dict[str, int] = {}
    with timer() as took:
        for post in posts:
            request = TranslateRequest(post, "en", "de", "html")
            result = asyncio.run(translate_document(translator, request))
            for status, count in result.counts.items():
                statuses[status] = statuses.get(status, 0) + count
    after = server.metrics()
    segments = sum(statuses.values()) or 1
    return {
        "preset": preset,
        "constrained": constrained,
        "segments": segments,
        "statuses": statuses,
        "ok_share": round(statuses.get("ok", 0) / segments, 3),
        "calls": translator.calls,
        "prompt_tokens": int(after["prompt_tokens_total"] - counters["prompt_tokens_total"]),
        "cached_prompt_tokens": int(
            after["prompt_tokens_cached_total"] - counters["prompt_tokens_cached_total"]
        ),
        "seconds": round(took[0], 1),
        "seconds_per_segment": round(took[0] / segments, 2),
    }


def run(posts: list[str]) -> dict[str, Any]:
    """Every real model on llama-server over the same forum posts; or why it could not run."""
    rows = []
    segments = sum(len(HtmlDocument(p).segments) for p in posts)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        try:
            for preset, model, modes in MODELS:
                with llama_server(model(folder), folder) as server:
                    for constrained in modes:
                        rows.append(_run_pages(server, preset, posts, constrained, folder))
        except Missing as exc:
            return {"skipped": str(exc), "rows": rows}
    return {"posts": len(posts), "segments": segments, "rows": rows}


def render(result: dict[str, Any], table: Any) -> list[str]:
    """The section of docs/benchmarks.md for this benchmark."""
    out = ["## 6. Real models behind llama-server", ""]
    if "skipped" in result:
        return [*out, f"Not measured in this run: {result['skipped']}.", ""]
    out += [
        f"llama.cpp's own `llama-server` (built from the llama.cpp that llama-cpp-python "
        f"vendors, 2 slots, 2 threads) on {result['posts']} posts of a German forum page "
        f"({result['segments']} segments), German → English, no translation memory. Cached "
        "prompt tokens are the server's own count (`/metrics` `prompt_tokens_cached_total`): "
        "prompt tokens it took from a slot's cache instead of evaluating them again.",
        "",
        table(
            [
                "preset",
                "constrained batches",
                "ok",
                "repaired",
                "fallback",
                "failed",
                "model calls",
                "prompt tokens evaluated",
                "prompt tokens from cache",
                "s / segment",
            ],
            [
                [
                    row["preset"],
                    "yes" if row["constrained"] else "no",
                    *(row["statuses"].get(s, 0) for s in ("ok", "repaired", "fallback", "failed")),
                    row["calls"],
                    row["prompt_tokens"],
                    row["cached_prompt_tokens"],
                    row["seconds_per_segment"],
                ]
                for row in result["rows"]
            ],
        ),  # fmt: skip
        "",
    ]
    return out
