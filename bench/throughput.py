"""3. Throughput under concurrency: segments per second with 1, 2, 4 and 8 pages at once."""

from __future__ import annotations

import asyncio
from typing import Any

from dragoman.chains import ModelProfile
from dragoman.chains.markup import HtmlDocument
from dragoman.chains.translate import (
    TranslateRequest,
    Translator,
    translate_document,
)
from tests.fakes import make_translator, segment_replier

from .common import LatencyChatModel, timer
from .speed import page_posts, upper


def run(slots: int = 4) -> list[dict[str, Any]]:
    """Fake backend with `slots` parallel slots (llama-server --parallel); every page different."""
    posts = page_posts(limit=8)
    rows = []
    for pages in (1, 2, 4, 8):
        model = LatencyChatModel(reply=segment_replier(upper), slots=slots, scale=0.01)
        # Each page is made distinct so that nothing is shared between them.
        htmls = ["".join(f"<div>{p} Seite {n}</div>" for p in posts) for n in range(pages)]
        total = sum(len(HtmlDocument(h).segments) for h in htmls)
        translator = make_translator(
            model, ModelProfile(style="chat"), {"concurrency": slots, "batch_segments": 8}
        )

        async def all_pages(translator: Translator = translator, htmls: list[str] = htmls) -> None:
            await asyncio.gather(
                *(
                    translate_document(translator, TranslateRequest(h, "en", "de", "html"))
                    for h in htmls
                )
            )

        with timer() as took:
            asyncio.run(all_pages())
        virtual = took[0] / model.scale
        rows.append({"pages": pages, "segments": total, "requests": model.requests,
                     "segments_per_s": round(total / virtual, 2)})  # fmt: skip
    return rows
