"""Running a proofread from a request: limits, language, the model, in a worker thread."""

from __future__ import annotations

import asyncio

from starlette.concurrency import run_in_threadpool

from dragoman.chains import InputError, InputTooLarge, UnsupportedLanguage
from dragoman.chains.proofread import Check, ProofreadResult, proofread

from .faults import backend_errors
from .runtime import Runtime


def check_language(language: str) -> None:
    """Proofreading is English only: accept en, en-US, en-GB…, and auto."""
    code = language.strip().lower()
    if code != "auto" and code.split("-")[0] != "en":
        raise UnsupportedLanguage(f"proofreading supports English only, not {language!r}")


def check_size(runtime: Runtime, text: str) -> None:
    """Refuse empty and oversized texts with a clear message."""
    if not text.strip():
        raise InputError("text is empty: give the text to proofread")
    limit = runtime.settings.max_proofread_chars
    if len(text) > limit:
        raise InputTooLarge(f"text has {len(text)} characters; at most {limit} per request")


async def run_proofread(
    runtime: Runtime, text: str, fmt: str, checks: list[Check]
) -> ProofreadResult:
    """Proofread in a worker thread: parsing is CPU-bound and must not block the event loop."""
    corrector = runtime.corrector()

    def work() -> ProofreadResult:
        return asyncio.run(proofread(text, fmt, checks, runtime.nlp(), corrector))

    with backend_errors(runtime.url("proofread")):
        return await run_in_threadpool(work)
