"""One llama-server against a pool of two, on the same batch: what a second server buys."""

from __future__ import annotations

import asyncio
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from dragoman.chains.translate import TranslateRequest, translate_document
from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from tests.llama_server import SMOLLM2, Missing, llama_server
from tests.realserver.test_llama_server import SENTENCES

from .common import timer

SEGMENTS = 24
# (servers, threads each): the same two cores, as one server or as two.
SHAPES = [(1, 2), (2, 1), (2, 2)]


def _batch(urls: list[str], folder: Path) -> dict[str, Any]:
    settings = Settings(
        backend="llama-server",
        base_urls=urls,
        translate_preset="smollm2-135m",
        data_dir=folder,
        memory=False,
        warm_up=False,
        batch_segments=2,
    )
    runtime = Runtime(settings)
    html = "".join(f"<p>{SENTENCES[n % 5]} (Beitrag {n})</p>" for n in range(SEGMENTS))
    with timer() as took:
        result = asyncio.run(
            translate_document(runtime.translator(), TranslateRequest(html, "en", "de", "html"))
        )
    return {
        "segments": sum(result.counts.values()),
        "slots": runtime.models.slots("translate"),
        "seconds": round(took[0], 1),
        "segments_per_s": round(SEGMENTS / took[0], 2),
    }


def run() -> dict[str, Any]:
    """The same batch on each shape of servers; or why it could not run."""
    rows = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        try:
            for servers, threads in SHAPES:
                with ExitStack() as stack:
                    urls = [
                        stack.enter_context(llama_server(SMOLLM2, folder, 2, threads)).base_url
                        for _ in range(servers)
                    ]
                    rows.append({"servers": servers, "threads": threads, **_batch(urls, folder)})
        except Missing as exc:
            return {"skipped": str(exc), "rows": rows}
    return {"rows": rows}


def render(result: dict[str, Any], table: Any) -> list[str]:
    """The section of docs/benchmarks.md for this benchmark."""
    out = ["## 9. One model server or a pool of two", ""]
    if "skipped" in result:
        return [*out, f"Not measured in this run: {result['skipped']}.", ""]
    base = result["rows"][0]["seconds"]
    out += [
        f"{SEGMENTS} German forum sentences, SmolLM2-135M on llama-server (2 slots each), "
        "Dragoman sending to one server or to a pool of two (`base_urls`), least busy first. "
        "All servers run on this one 2-core machine, so a second server can only overlap work, "
        "not add cores: on separate machines each server brings its own.",
        "",
        table(
            [
                "servers",
                "threads each",
                "slots in the pool",
                "segments",
                "seconds",
                "segments / s",
                "time vs one server",
            ],
            [
                [
                    row["servers"],
                    row["threads"],
                    row["slots"],
                    row["segments"],
                    row["seconds"],
                    row["segments_per_s"],
                    round(row["seconds"] / base, 2),
                ]
                for row in result["rows"]
            ],
        ),  # fmt: skip
        "",
    ]
    return out
