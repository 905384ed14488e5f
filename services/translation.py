"""Running translations for the service: API items, and whole files for batches and jobs."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable

from dragoman.chains import (
    ArchiveLimits,
    BackendUnavailable,
    FileDocument,
    InputError,
    InputTooLarge,
    load_file,
    normalize_code,
)
from dragoman.chains.translate import (
    TranslateRequest,
    TranslationResult,
    Translator,
    translate_document,
    translate_segments,
    translate_variant,
    worst,
)

from .llm.faults import backend_errors
from .runtime import Runtime
from .settings import Settings


def item_requests(
    settings: Settings,
    q: str | list[str],
    target: str,
    source: str = "auto",
    fmt: str = "text",
    context: str | None = None,
    glossary: dict[str, str] | None = None,
) -> list[TranslateRequest]:
    """Check texts against the limits and turn them into one TranslateRequest per text."""
    texts = [q] if isinstance(q, str) else q
    if not texts or not any(t.strip() for t in texts):
        raise InputError("q is empty: give a text or a list of texts to translate")
    if len(texts) > settings.max_items:
        raise InputTooLarge(f"q has {len(texts)} texts; at most {settings.max_items} per request")
    longest = max(len(t) for t in texts)
    if longest > settings.max_chars:
        raise InputTooLarge(f"a text has {longest} characters; at most {settings.max_chars}")
    target = normalize_code(target)
    source = source if source == "auto" else normalize_code(source)
    return [TranslateRequest(t, target, source, fmt, context, glossary) for t in texts]


async def translate_item(
    runtime: Runtime, translator: Translator, item: TranslateRequest
) -> TranslationResult:
    """Translate one item, reporting backend faults as BackendUnavailable."""
    with backend_errors(runtime.models.url("translate")):
        return await translate_document(translator, item)


async def alternatives(
    runtime: Runtime,
    translator: Translator,
    item: TranslateRequest,
    result: TranslationResult,
    count: int,
) -> list[str]:
    """Up to `count` sampled translations of a text item, unlike its translation and each other.
    None come when the backend cannot sample (pseudo, or a model without per-call options), for
    HTML (as in LibreTranslate), or when the item itself failed."""
    if not count or not translator.can_sample or item.format != "text" or result.status == "failed":
        return []
    found: list[str] = []
    with backend_errors(runtime.models.url("translate")):
        for _ in range(count):
            text = await translate_variant(translator, item, result.detected_source)
            if text is not None and text != result.text and text not in found:
                found.append(text)
    return found


async def translate_items(
    runtime: Runtime,
    translator: Translator,
    items: list[TranslateRequest],
    client_gone: Callable[[], Awaitable[bool]],
) -> list[TranslationResult]:
    """Translate items in order; an item the backend failed on comes back `failed`, not lost.
    If the backend failed every item, that is a 503; a client that left stops the work."""
    results: list[TranslationResult] = []
    faults: list[BackendUnavailable] = []
    for item in items:
        if await client_gone():
            break
        try:
            results.append(await translate_item(runtime, translator, item))
        except BackendUnavailable as exc:
            faults.append(exc)
            failed = TranslationResult(item.source, "failed", reasons=[exc.message], text=item.text)
            results.append(failed)
    if faults and len(faults) == len(items):
        raise faults[0]
    return results


def archive_limits(settings: Settings) -> ArchiveLimits:
    """The most a .docx or .epub may hold, from the settings."""
    return ArchiveLimits(
        entries=settings.archive_entries,
        entry_bytes=settings.archive_entry_bytes,
        total_bytes=settings.archive_total_bytes,
        ratio=settings.archive_ratio,
    )


def check_upload(data: bytes, settings: Settings) -> None:
    """Refuse an uploaded file larger than DRAGOMAN_MAX_UPLOAD_BYTES."""
    if not data:
        raise InputError("the uploaded file is empty")
    if len(data) > settings.max_upload_bytes:
        raise InputTooLarge(
            f"the file has {len(data):,} bytes; at most {settings.max_upload_bytes:,} "
            "(DRAGOMAN_MAX_UPLOAD_BYTES)"
        )


def check_text(document: FileDocument, most: int) -> None:
    """Refuse a document with more than `most` characters of text to translate (its pictures
    and markup do not count)."""
    chars = sum(len(segment.text) for segment in document.segments)
    if chars > most:
        raise InputTooLarge(
            f"the document has {chars:,} characters of text; at most {most:,} "
            "(DRAGOMAN_MAX_DOCUMENT_CHARS)"
        )


async def translate_file_bytes(
    translator: Translator,
    data: bytes,
    name: str,
    target: str,
    limits: ArchiveLimits,
    source: str = "auto",
    parsed: Callable[[int], None] | None = None,
    most_chars: int | None = None,
    encoding: str | None = None,
) -> tuple[bytes, TranslationResult]:
    """Translate a file's bytes (its format from `name`, a text format read in `encoding` when
    one is named); `parsed` hears its segment count; a document over `most_chars` characters of
    text is refused before any is translated."""
    document = await asyncio.to_thread(load_file, data, name, limits, encoding)
    if most_chars is not None:
        check_text(document, most_chars)
    if parsed is not None:
        parsed(len(document.segments))
    result = await translate_segments(translator, document, target, source)
    if document.notes:  # never counted as translated: said, file by file
        result.reasons += document.notes
        result.counts["kept"] = result.counts.get("kept", 0) + len(document.notes)
        result.status = worst(Counter(result.counts))
    if result.counts.get("ok") or result.counts.get("repaired"):  # any words in `target`
        document.set_language(target)
    return await asyncio.to_thread(document.to_bytes), result
