"""Translating whole items and documents: source detection, segments, write-back, status."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from typing import Any, Protocol

from langchain_core.runnables import Runnable, RunnableLambda

from ..detect import UNDETERMINED, detect_language, identify
from ..formats import parse_text
from ..languages import normalize_code, primary
from ..markup.inline import text_of
from ..markup.segment import Segment
from .engine import Job, Translator
from .prompting import notes
from .requests import ModelCall
from .result import TranslationResult, worst

# Detection on short text is a guess; only trust it this much before acting on it.
_SURE = 0.9
# Per-segment language detection is only trusted on text at least this long.
_DETECT_MIN_CHARS = 40


class Segmented(Protocol):
    """Anything split into segments: a text document or a file."""

    @property
    def segments(self) -> list[Segment]: ...


@dataclass(frozen=True)
class TranslateRequest:
    """One text item to translate."""

    text: str
    target: str
    source: str = "auto"
    format: str = "text"
    context: str | None = None
    glossary: dict[str, str] | None = None


def _detect_source(doc: Segmented, source: str) -> tuple[str, float]:
    if source != "auto":
        return normalize_code(source), 1.0
    prose = [s for s in doc.segments if s.kind != "attribute"] or doc.segments
    return detect_language(" ".join(text_of(s.nodes) for s in prose)[:4000])


def _already(text: str, target: str) -> bool:
    if len(text) < _DETECT_MIN_CHARS:
        return False
    language, probability = identify(text)
    return language == target and probability >= _SURE


async def rehearse_document(translator: Translator, request: TranslateRequest) -> list[ModelCall]:
    """Send the calls translating `request` would start with, answers unused (for dry runs,
    through a model that records its requests): the same segments, groups and jobs."""
    doc = parse_text(request.format, request.text)
    if not doc.segments:
        return []
    target = normalize_code(request.target)
    detected, _ = _detect_source(doc, request.source)
    note = notes(request.context, request.glossary)
    calls = []
    for language, segments in _groups(doc, request.source, detected, target).items():
        calls += await translator.rehearse(segments, Job(language, target, note))
    return calls


def _groups(doc: Segmented, asked: str, source: str, target: str) -> dict[str, list[Segment]]:
    """Segments to translate, by source language. When `auto` finds the page already in the
    target language, only passages confidently in another language (a quoted post) remain."""
    if source != target:
        return {source: [s for s in doc.segments if not _already(text_of(s.nodes), target)]}
    if asked != "auto":
        return {}
    groups: dict[str, list[Segment]] = {}
    for segment in doc.segments:
        text = text_of(segment.nodes)
        if len(text) >= _DETECT_MIN_CHARS:
            language, probability = identify(text)
            if language != target and probability >= _SURE:
                groups.setdefault(language, []).append(segment)
    return groups


async def translate_segments(
    translator: Translator,
    doc: Segmented,
    target: str,
    source: str = "auto",
    context: str | None = None,
    glossary: dict[str, str] | None = None,
) -> TranslationResult:
    """Translate a parsed document in place, leaving text already in the target language alone."""
    target = normalize_code(target)
    if not doc.segments:  # nothing to translate, and no language to tell
        if source == "auto":
            return TranslationResult(UNDETERMINED[0], confidence=UNDETERMINED[1])
        return TranslationResult(normalize_code(source))
    # Language identification is CPU work (a model's first use loads it): off the event loop.
    detected, confidence = await asyncio.to_thread(_detect_source, doc, source)
    groups = await asyncio.to_thread(_groups, doc, source, detected, target)
    todo = [segment for segments in groups.values() for segment in segments]
    translator.report(len(doc.segments) - len(todo))

    def is_foreign(text: str) -> bool:
        language, probability = identify(text)
        # Detection knows no variants: Traditional Chinese is detected as zh, pt-BR as pt.
        return len(text) >= 20 and language != primary(target) and probability >= _SURE

    note = notes(context, glossary)
    outcomes = []
    for language, segments in groups.items():
        outcomes += await translator.translate(segments, Job(language, target, note, is_foreign))
    if outcomes and all(o.fault is not None for o in outcomes):
        raise outcomes[0].fault  # type: ignore[misc]  # nothing could be translated at all
    applied = 0
    for segment, outcome in zip(todo, outcomes, strict=True):
        if outcome.nodes is not None:
            segment.put(outcome.nodes)
            applied += 1
    counts: Counter[str] = Counter(o.status for o in outcomes)
    reasons = {o.reason for o in outcomes if o.reason}
    if len(todo) < len(doc.segments):
        counts["kept"] += len(doc.segments) - len(todo)
        reasons.add(f"already in {target}")
    fault = next((o.fault for o in outcomes if o.fault is not None), None)
    return TranslationResult(
        detected, worst(counts), confidence, dict(+counts), sorted(reasons), applied, fault=fault
    )


async def translate_document(
    translator: Translator, request: TranslateRequest
) -> TranslationResult:
    """Translate one text, HTML or Markdown item; the result carries the translated text."""
    doc = await asyncio.to_thread(parse_text, request.format, request.text)
    result = await translate_segments(
        translator, doc, request.target, request.source, request.context, request.glossary
    )
    result.text = await asyncio.to_thread(doc.render) if result.applied else request.text
    return result


async def translate_variant(
    translator: Translator, request: TranslateRequest, source: str
) -> str | None:
    """Another translation of a text item from `source` (already detected), every segment
    sampled anew; None when the model cannot sample or an answer is rejected."""
    if not translator.can_sample:
        return None
    doc = parse_text(request.format, request.text)
    job = Job(
        normalize_code(source),
        normalize_code(request.target),
        notes(request.context, request.glossary),
    )
    for segment in doc.segments:
        nodes = await translator.sample(segment, job)
        if nodes is None:
            return None
        segment.put(nodes)
    return doc.render()


def build_translate_chain(translator: Translator) -> Runnable:
    """A LangChain runnable from a TranslateRequest (or its fields as a dict) to a
    TranslationResult, for use inside other chains; it runs sync (`invoke`) and async."""

    def coerce(value: Any) -> TranslateRequest:
        return value if isinstance(value, TranslateRequest) else TranslateRequest(**value)

    async def arun(value: Any) -> TranslationResult:
        return await translate_document(translator, coerce(value))

    def run(value: Any) -> TranslationResult:
        return asyncio.run(arun(value))

    return RunnableLambda(run, afunc=arun, name="translate_document")
