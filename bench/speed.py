"""2. Speed on real forum pages: overhead over direct calls, batching against the naive way,
the translation memory, and time to the first translated post on the stream."""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from bs4 import BeautifulSoup

from dragoman.chains import ModelProfile
from dragoman.chains.markup import HtmlDocument
from dragoman.chains.translate import (
    TranslateRequest,
    Translator,
    single_prompt,
    translate_document,
)
from dragoman.services.stores.db import Database
from dragoman.services.stores.memory import TranslationMemory
from tests.fakes import make_translator, segment_replier

from .common import LatencyChatModel, forum_pages, timer

ROUNDS = 3
POSTS = ".postbody .content, .message-body .bbWrapper, blockquote.messageText, div.text"


def page_posts(limit: int = 12) -> list[str]:
    """Post bodies (innerHTML) from a German forum page."""
    for page in forum_pages("de"):
        posts = BeautifulSoup(page.text(), "html.parser").select(POSTS)
        if len(posts) >= 4:
            return [p.decode_contents() for p in posts[:limit]]
    raise RuntimeError("no forum page with posts")


def upper(text: str) -> str:
    import re

    return re.sub(r"(</?[a-z]\d+/?>)|([^<]+|<)", lambda m: m.group(1) or m.group(2).upper(), text)


def overhead_embedded(runtime: Any, posts: list[str]) -> dict[str, float]:
    """Dragoman against the same segments sent one by one straight to llama.cpp (no memory)."""
    segments = list({s.text: s for p in posts for s in HtmlDocument(p).segments}.values())[:30]
    html = "".join(f"<p>{s.text}</p>" for s in segments if "<" not in s.text)
    model = runtime.models.model("translate")
    profile = runtime.models.profile("translate")
    texts = [s.text for s in segments if "<" not in s.text]
    model.invoke(single_prompt(profile, texts[0], "de", "en").to_string())  # warm the prefix cache
    direct_times, our_times, calls = [], [], 0
    for _ in range(ROUNDS):  # alternate, so load on the machine hits both alike
        with timer() as direct:
            for text in texts:
                model.invoke(single_prompt(profile, text, "de", "en").to_string())
        translator = make_translator(model, profile)
        with timer() as ours:
            asyncio.run(translate_document(translator, TranslateRequest(html, "en", "de", "html")))
        direct_times.append(direct[0])
        our_times.append(ours[0])
        calls = translator.calls
    d, o = statistics.median(direct_times), statistics.median(our_times)
    return {"segments": len(texts), "rounds": ROUNDS, "direct_s": round(d, 2), "dragoman_s": round(o, 2),
            "ratio": round(o / d, 3), "dragoman_calls": calls}  # fmt: skip


class LatencyCompletion(LatencyChatModel):
    """The latency fake answering few-shot completion prompts (the last source line, upper-cased)."""


def overhead_fake(posts: list[str]) -> dict[str, float]:
    """The same comparison as (a) on a backend whose latency grows with tokens (one per call)."""
    from langchain_core.messages import HumanMessage

    def reply(messages: list[Any]) -> str:
        return upper(str(messages[-1].content).rsplit("German: ", 1)[-1].split("\n")[0])

    profile = ModelProfile(style="completion", max_tokens_param=None)
    segments = list({s.text: s for p in posts for s in HtmlDocument(p).segments}.values())[:30]
    texts = [s.text for s in segments if "<" not in s.text]
    html = "".join(f"<p>{t}</p>" for t in texts)
    direct_times, our_times = [], []
    for _ in range(ROUNDS):
        model = LatencyCompletion(reply=reply, scale=0.05)
        with timer() as direct:
            for text in texts:
                model.invoke(
                    [HumanMessage(content=single_prompt(profile, text, "de", "en").to_string())]
                )
        model = LatencyCompletion(reply=reply, scale=0.05)
        translator = make_translator(model, profile)
        with timer() as ours:
            asyncio.run(translate_document(translator, TranslateRequest(html, "en", "de", "html")))
        direct_times.append(direct[0])
        our_times.append(ours[0])
    d, o = statistics.median(direct_times), statistics.median(our_times)
    return {
        "segments": len(texts),
        "direct_s": round(d, 3),
        "dragoman_s": round(o, 3),
        "ratio": round(o / d, 3),
    }


def memory_second_run_embedded(runtime: Any, posts: list[str], folder: Any) -> dict[str, Any]:
    """(c) with the embedded model: a page of posts twice through the translation memory."""
    memory = TranslationMemory(Database(f"sqlite:///{folder / 'bench-embedded-memory.sqlite3'}"))
    runs = []
    for _ in range(2):
        translator = make_translator(
            runtime.models.model("translate"), runtime.models.profile("translate"), memory=memory
        )
        with timer() as took:
            asyncio.run(translate_many(translator, posts[:3], "html"))
        runs.append({"wall_s": round(took[0], 2), "calls": translator.calls})
    return {"first": runs[0], "second": runs[1]}


def batching_vs_naive(posts: list[str]) -> dict[str, Any]:
    """Batching + dedupe + a fixed prefix against one request per post's whole innerHTML."""
    naive = LatencyChatModel(reply=lambda messages: str(messages[-1].content).upper())
    with timer():
        for post in posts:
            naive.invoke(
                [
                    ("system", "Translate this HTML from German to English, keep all tags."),
                    ("human", post),
                ]
            )
    ours_model = LatencyChatModel(reply=segment_replier(upper))
    translator = make_translator(ours_model, ModelProfile(style="chat"))
    with timer():
        asyncio.run(translate_many(translator, posts, "html"))
    return {
        "posts": len(posts),
        "naive": {"requests": naive.requests, "model_seconds": round(naive.virtual_seconds, 1)},
        "dragoman": {
            "requests": ours_model.requests,
            "model_seconds": round(ours_model.virtual_seconds, 1),
        },
        "speedup": round(naive.virtual_seconds / ours_model.virtual_seconds, 2),
    }


async def translate_many(translator: Translator, posts: list[str], fmt: str) -> list[Any]:
    return [
        await translate_document(translator, TranslateRequest(p, "en", "de", fmt)) for p in posts
    ]


def memory_second_run(posts: list[str], folder: Any) -> dict[str, Any]:
    """The same page twice: the second run comes from the translation memory."""
    memory = TranslationMemory(Database(f"sqlite:///{folder / 'bench-memory.sqlite3'}"))
    runs = []
    for _ in range(2):
        model = LatencyChatModel(reply=segment_replier(upper))
        translator = make_translator(model, ModelProfile(style="chat"), memory=memory)
        with timer() as took:
            asyncio.run(translate_many(translator, posts, "html"))
        runs.append(
            {
                "wall_s": round(took[0], 3),
                "requests": model.requests,
                "model_seconds": round(model.virtual_seconds, 1),
            }
        )
    return {"first": runs[0], "second": runs[1]}


def first_post_on_stream(url: str, token: str, posts: list[str]) -> dict[str, float]:
    """Seconds until the first translated post arrives on /v1/translate/stream, and until all."""
    import httpx

    started = time.perf_counter()
    first = None
    with httpx.stream("POST", f"{url}/v1/translate/stream", json={"q": posts, "target": "en", "format": "html"},
                      headers={"Authorization": f"Bearer {token}"}, timeout=600) as response:  # fmt: skip
        for line in response.iter_lines():
            if line and first is None:
                first = time.perf_counter() - started
    return {
        "posts": len(posts),
        "first_s": round(first or 0, 2),
        "all_s": round(time.perf_counter() - started, 2),
    }
