"""What the benchmarks share: the corpus, a backend whose latency grows with tokens, timing."""

from __future__ import annotations

import asyncio
import contextlib
import math
import platform
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
DOCS = ROOT / "docs"
PLOTS = DOCS / "bench"

# A llama.cpp-like cost model on a 2-core CPU: prompt tokens are evaluated fast, generated tokens
# slowly, an identical prompt prefix is reused (cache_prompt), and requests share a few slots.
PROMPT_TOKENS_PER_S = 400.0
GENERATED_TOKENS_PER_S = 25.0
REQUEST_OVERHEAD_S = 0.03


def tokens(text: str) -> int:
    """About four characters a token."""
    return max(1, len(text) // 4)


class LatencyChatModel(BaseChatModel):
    """A fake chat backend that answers like `reply` and takes time like a local llama-server.

    Time is scaled by `scale` so benchmarks run quickly; `virtual_seconds` sums unscaled costs.
    """

    reply: Any
    scale: float = 0.02
    slots: int = 1
    virtual_seconds: float = 0.0
    requests: int = 0
    last_prompt: str = ""
    gate: Any = None

    def _cost(self, prompt: str, answer: str) -> float:
        shared = len(_common_prefix(prompt, self.last_prompt))
        self.last_prompt = prompt
        fresh = tokens(prompt[shared:])
        return (
            REQUEST_OVERHEAD_S
            + fresh / PROMPT_TOKENS_PER_S
            + tokens(answer) / GENERATED_TOKENS_PER_S
        )

    def _answer(self, messages: list[BaseMessage]) -> tuple[str, float]:
        prompt = "\n".join(str(m.content) for m in messages)
        answer = self.reply(messages)
        cost = self._cost(prompt, answer)
        self.virtual_seconds += cost
        self.requests += 1
        return answer, cost

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):  # type: ignore[override]
        answer, cost = self._answer(messages)
        time.sleep(cost * self.scale)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=answer))])

    async def _agenerate(self, messages, stop=None, run_manager=None, **kwargs):  # type: ignore[override]
        if self.gate is None:
            self.gate = asyncio.Semaphore(self.slots)
        async with self.gate:
            answer, cost = self._answer(messages)
            await asyncio.sleep(cost * self.scale)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=answer))])

    @property
    def _llm_type(self) -> str:
        return "latency-fake"


def _common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]


@contextmanager
def timer() -> Iterator[list[float]]:
    """Measure wall time: `with timer() as t: ...; t[0]` is the seconds taken."""
    out = [0.0]
    start = time.perf_counter()
    yield out
    out[0] = time.perf_counter() - start


def table(header: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    """One line about the machine the numbers come from."""
    import os

    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def forum_pages(lang: str | None = None) -> list[Any]:
    """Forum pages of the corpus (optionally in one language)."""
    from tests.corpus import pages

    return [p for p in pages() if p.kind == "forum" and (lang is None or p.lang == lang)]


def memory_mb(pid: int) -> tuple[int, int]:
    """A process's resident memory (RSS) and its proportional share (PSS), in MB. PSS counts a
    page that two mappings share once: the verifier maps the generator's GGUF a second time."""
    info = psutil.Process(pid).memory_full_info()
    return round(info.rss / 2**20), round(info.pss / 2**20)


@contextmanager
def peak_memory(pids: list[int]) -> Iterator[list[tuple[int, int]]]:
    """Each process's largest RSS and PSS (MB) while the block runs, sampled every 50 ms."""
    out, stop = [(0, 0)] * len(pids), threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for n, pid in enumerate(pids):
                with contextlib.suppress(psutil.Error):
                    rss, pss = memory_mb(pid)
                    out[n] = (max(out[n][0], rss), max(out[n][1], pss))
            stop.wait(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield out
    finally:
        stop.set()
        thread.join()


def percentiles(seconds: list[float], digits: int = 0) -> dict[str, float | None]:
    """p50, p95, p99 and the largest of some durations, in milliseconds (nearest rank)."""
    ranked = sorted(seconds)

    def at(q: float) -> float | None:
        if not ranked:
            return None
        ms = 1000 * ranked[max(0, math.ceil(q * len(ranked)) - 1)]
        return round(ms, digits) if digits else round(ms)

    return {"p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "max": at(1.0), "n": len(ranked)}
