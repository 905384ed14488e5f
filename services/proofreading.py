"""Running a proofread from a request: limits, language, options, the layers, off the event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool

from dragoman.chains import (
    UNDETERMINED,
    InputError,
    InputTooLarge,
    UnsupportedLanguage,
    detect_language,
    is_english,
    primary,
)
from dragoman.chains.proofread import (
    Check,
    Issue,
    ProofreadOptions,
    ProofreadResult,
    RuleFilter,
    proofread,
    proofread_stream,
)

from .llm.faults import backend_errors
from .nlp import dialect_of
from .runtime import Runtime
from .spelling import dictionaries, display_name
from .threads import relay


def checked_language(language: str) -> bool:
    """Whether proofreading checks `language`: English (every check), or a language with a
    Hunspell dictionary here (spelling)."""
    return is_english(language) or dictionaries().resolve(language) is not None


def check_language(language: str) -> None:
    """Accept English of any region, a language with a dictionary, and auto."""
    code = language.strip()
    if code.lower() != "auto" and not checked_language(code):
        raise UnsupportedLanguage(
            f"proofreading does not check {language!r}: English, and the languages of "
            "/v2/languages (Hunspell dictionaries), are checked"
        )


def check_size(runtime: Runtime, text: str) -> None:
    """Refuse oversized texts with a clear message, in LanguageTool's words (clients match them)."""
    limit = runtime.settings.max_proofread_chars
    if len(text) > limit:
        raise InputTooLarge(
            f"Your text exceeds the limit of {limit} characters (it's {len(text)} characters). "
            "Please submit a shorter text."
        )


def require_text(text: str) -> None:
    """Refuse an empty text where Dragoman's own API asks for one."""
    if not text.strip():
        raise InputError("text is empty: give the text to proofread")


def proofread_options(
    runtime: Runtime,
    checks: list[Check],
    language: str,
    rules: RuleFilter,
    preferred: tuple[str, ...] = (),
) -> ProofreadOptions:
    """The options of one request, with the personal dictionary as it is now."""
    code = language.strip()
    known = runtime.stores.dictionary.by_language()
    # Under auto, English is checked as the English variant the caller prefers (en-GB).
    english = next((v for v in preferred if is_english(v)), code)
    return ProofreadOptions(
        tuple(checks),
        rules,
        dialect_of(english),
        known.get("", frozenset()),
        language="auto" if code.lower() == "auto" else code,
        preferred=preferred,
        by_language=known,
    )


async def request_options(
    runtime: Runtime,
    checks: list[Check],
    language: str,
    rules: RuleFilter,
    preferred: tuple[str, ...] = (),
) -> ProofreadOptions:
    """`proofread_options` read in a worker thread: the dictionary is a database query."""
    return await run_in_threadpool(proofread_options, runtime, checks, language, rules, preferred)


async def run_proofread(
    runtime: Runtime, text: str, fmt: str, options: ProofreadOptions
) -> ProofreadResult:
    """Proofread in a worker thread: building the checkers (loading them, the first time) and
    parsing are CPU-bound and must not block the event loop."""

    def work() -> ProofreadResult:
        layers = runtime.layers(options.dialect)
        # A private loop driving CPU-bound checks in this worker thread: never in debug mode,
        # whose slow-callback reports are meant for the service's own loop.
        return asyncio.run(proofread(text, fmt, options, layers), debug=False)

    with backend_errors(runtime.models.url("proofread")):
        return await run_in_threadpool(work)


async def stream_proofread(
    runtime: Runtime, text: str, fmt: str, options: ProofreadOptions, result: ProofreadResult
) -> AsyncIterator[list[Issue]]:
    """Issues in batches as the layers find them, computed in a worker thread with its own loop."""

    def produce(emit: Callable[[Any], None], stopped: threading.Event) -> None:
        layers = runtime.layers(options.dialect)

        async def batches() -> None:
            async for batch in proofread_stream(text, fmt, options, layers, result):
                emit(batch)
                if stopped.is_set():
                    return

        asyncio.run(batches(), debug=False)  # a private loop, as in run_proofread

    with backend_errors(runtime.models.url("proofread")):
        async for batch in relay(produce):
            yield batch


@dataclass(frozen=True)
class CheckLanguage:
    """The language a LanguageTool check is in: as asked (or detected), and whether Dragoman can
    check it; it never checks other languages as English."""

    code: str
    name: str
    detected_code: str
    detected_name: str
    confidence: float

    @property
    def checkable(self) -> bool:
        """Whether proofreading covers this language (English, or one with a dictionary)."""
        return checked_language(self.code)


def display_language(code: str) -> str:
    """A language code's name as LanguageTool shows it: English (GB), German (Austria)."""
    if is_english(code):
        region = code.split("-")[1].upper() if "-" in code else ""
        return f"English ({region})" if region else "English"
    return display_name(code)


def _variant(code: str, preferred: tuple[str, ...]) -> str:
    """A detected language as the variant it is checked as: the caller's preferred one (de-AT),
    else its dictionary's (de → de-DE)."""
    for variant in preferred:
        if primary(variant) == primary(code):
            return variant
    found = dictionaries().resolve(code)
    return found.code if found else code


def check_language_of(requested: str, text: str, preferred: tuple[str, ...] = ()) -> CheckLanguage:
    """Detect the text's language; `auto` takes it (as a preferred variant), a code is echoed
    as asked (en-GB stays)."""
    detected, confidence = detect_language(text) if text.strip() else UNDETERMINED
    if detected == "en":
        english = [v for v in preferred if is_english(v)]
        asked = english[0] if english else requested
        detected = dialect_of(asked) if is_english(asked) else "en-US"
    else:
        detected = _variant(detected, preferred)
    code = detected if requested.strip().lower() == "auto" else requested.strip()
    return CheckLanguage(
        code, display_language(code), detected, display_language(detected), round(confidence, 3)
    )
