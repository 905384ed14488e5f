"""Translating whole items (text, HTML or Markdown): detection, segments, write-back, status."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from langchain_core.prompt_values import PromptValue
from langchain_core.runnables import Runnable, RunnableLambda

from ..detect import detect_language
from ..errors import InputError
from ..languages import normalize_code
from ..markup.html import HtmlDocument
from ..markup.inline import text_of
from ..markup.markdown import MarkdownDocument
from ..markup.plain import PlainDocument
from ..markup.segment import Document, Segment
from .engine import Job, Translator
from .prompting import notes


class Segmented(Protocol):
    """Anything split into segments: a text document or a file."""

    @property
    def segments(self) -> list[Segment]: ...


FORMATS: dict[str, type] = {
    "text": PlainDocument,
    "html": HtmlDocument,
    "markdown": MarkdownDocument,
}
STATUSES = ("ok", "repaired", "fallback", "failed")
# Detection on short text is a guess; only trust it this much before acting on it.
_SURE = 0.9


@dataclass(frozen=True)
class TranslateRequest:
    """One item to translate."""

    text: str
    target: str
    source: str = "auto"
    format: str = "text"
    context: str | None = None
    glossary: dict[str, str] | None = None


@dataclass
class ItemResult:
    """A translated item: its text, source language, worst segment status and status counts."""

    text: str
    detected_source: str
    status: str = "ok"
    confidence: float = 1.0
    counts: dict[str, int] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


def parse_document(fmt: str, text: str) -> Document:
    """Split `text` of format `fmt` into segments."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    return FORMATS[fmt](text)


def _detect_source(request: TranslateRequest, doc: Segmented) -> tuple[str, float]:
    if request.source != "auto":
        return normalize_code(request.source), 1.0
    sample = " ".join(text_of(s.nodes) for s in doc.segments if s.kind != "attribute")[:4000]
    return detect_language(sample or request.text)


def _already(text: str, target: str, min_chars: int) -> bool:
    if len(text) < min_chars:
        return False
    language, probability = detect_language(text)
    return language == target and probability >= _SURE


def plan_document(translator: Translator, request: TranslateRequest) -> list[PromptValue]:
    """The prompts translating `request` would start with, sending nothing (for dry runs)."""
    doc = parse_document(request.format, request.text)
    if not doc.segments:
        return []
    source, _ = _detect_source(request, doc)
    target = normalize_code(request.target)
    if source == target:
        return []
    return translator.plan(
        doc.segments, Job(source, target, notes(request.context, request.glossary))
    )


@dataclass
class Translated:
    """What translating a parsed document's segments gave (the document itself is updated)."""

    source: str
    confidence: float = 1.0
    status: str = "ok"
    counts: dict[str, int] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    applied: int = 0  # segments written back into the document


def _groups(
    doc: Segmented, request: TranslateRequest, source: str, target: str, min_chars: int
) -> dict[str, list[Segment]]:
    """Segments to translate, by source language. When `auto` finds the page already in the
    target language, only passages confidently in another language (a quoted post) remain."""
    if source != target:
        return {
            source: [s for s in doc.segments if not _already(text_of(s.nodes), target, min_chars)]
        }
    if request.source != "auto":
        return {}
    groups: dict[str, list[Segment]] = {}
    for segment in doc.segments:
        text = text_of(segment.nodes)
        if len(text) >= min_chars:
            language, probability = detect_language(text)
            if language != target and probability >= _SURE:
                groups.setdefault(language, []).append(segment)
    return groups


async def translate_segments(
    translator: Translator, doc: Segmented, request: TranslateRequest
) -> Translated:
    """Translate a parsed document in place, leaving text already in the target language alone."""
    target = normalize_code(request.target)
    if not doc.segments:
        return Translated(normalize_code(request.source) if request.source != "auto" else target)
    source, confidence = _detect_source(request, doc)
    groups = _groups(doc, request, source, target, translator.options.detect_min_chars)
    todo = [segment for segments in groups.values() for segment in segments]
    translator.report(len(doc.segments) - len(todo))

    def is_foreign(text: str) -> bool:
        language, probability = detect_language(text)
        return len(text) >= 20 and language != target and probability >= _SURE

    note = notes(request.context, request.glossary)
    outcomes = []
    for language, segments in groups.items():
        outcomes += await translator.translate(segments, Job(language, target, note, is_foreign))
    if outcomes and all(o.fault is not None for o in outcomes):
        raise outcomes[0].fault  # type: ignore[misc]  # nothing could be translated at all
    applied = 0
    for segment, outcome in zip(todo, outcomes, strict=True):
        if outcome.nodes is not None:
            segment.apply(outcome.nodes)
            applied += 1
    counts = Counter(o.status for o in outcomes)
    counts["ok"] += len(doc.segments) - len(todo)
    worst = max((s for s in counts if counts[s]), key=STATUSES.index, default="ok")
    reasons = sorted({o.reason for o in outcomes if o.reason})
    return Translated(source, confidence, worst, dict(counts), reasons, applied)


async def translate_document(translator: Translator, request: TranslateRequest) -> ItemResult:
    """Translate one text, HTML or Markdown item."""
    doc = parse_document(request.format, request.text)
    done = await translate_segments(translator, doc, request)
    text = doc.render() if done.applied else request.text
    return ItemResult(text, done.source, done.status, done.confidence, done.counts, done.reasons)


def build_translate_chain(translator: Translator) -> Runnable:
    """A runnable from a TranslateRequest (or its fields as a dict) to an ItemResult."""

    def coerce(value: Any) -> TranslateRequest:
        return value if isinstance(value, TranslateRequest) else TranslateRequest(**value)

    async def arun(value: Any) -> ItemResult:
        return await translate_document(translator, coerce(value))

    def run(value: Any) -> ItemResult:
        return asyncio.run(arun(value))

    return RunnableLambda(run, afunc=arun, name="translate_document")
