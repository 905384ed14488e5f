"""Dragoman's own translation endpoints: one answer, or NDJSON lines as items finish."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from chains.errors import BackendUnavailable, DragomanError, InputError, InputTooLarge
from chains.languages import normalize_code
from chains.translate import ItemResult, TranslateRequest, Translator, translate_document

from ..deps import AdmissionDep, RuntimeDep, TranslatorDep
from ..faults import backend_errors
from ..runtime import Runtime

router = APIRouter()
Status = Literal["ok", "repaired", "fallback", "failed"]


class TranslateBody(BaseModel):
    """What to translate: one text or a list, into `target`."""

    q: str | list[str] = Field(description="text, or a list of texts, to translate")
    source: str = Field("auto", description="language code of the text, or auto")
    target: str = Field(description="language code to translate into")
    format: Literal["text", "html", "markdown"] = "text"
    context: str | None = Field(None, description="untranslated context, e.g. the thread title")
    glossary: dict[str, str] | None = Field(None, description="fixed renderings {term: rendering}")


class Translation(BaseModel):
    """One translated item."""

    text: str
    detected_source: str
    status: Status


class TranslateResponse(BaseModel):
    """Translations in the order of `q`, and the preset that made them."""

    translations: list[Translation]
    model: str = Field(description="preset used for translation")


def item_requests(runtime: Runtime, body: TranslateBody) -> list[TranslateRequest]:
    """Check a request against the limits and turn it into one TranslateRequest per text."""
    texts = [body.q] if isinstance(body.q, str) else body.q
    if not texts or not any(t.strip() for t in texts):
        raise InputError("q is empty: give a text or a list of texts to translate")
    limits = runtime.settings
    if len(texts) > limits.max_items:
        raise InputTooLarge(f"q has {len(texts)} texts; at most {limits.max_items} per request")
    longest = max(len(t) for t in texts)
    if longest > limits.max_chars:
        raise InputTooLarge(f"a text has {longest} characters; at most {limits.max_chars}")
    target = normalize_code(body.target)
    source = body.source if body.source == "auto" else normalize_code(body.source)
    return [
        TranslateRequest(t, target, source, body.format, body.context, body.glossary) for t in texts
    ]


async def run_item(
    runtime: Runtime, translator: Translator, request: TranslateRequest
) -> ItemResult:
    """Translate one item, reporting backend faults as BackendUnavailable."""
    with backend_errors(runtime.url("translate")):
        return await translate_document(translator, request)


async def run_items(
    request: Request, runtime: Runtime, translator: Translator, items: list[TranslateRequest]
) -> list[ItemResult]:
    """Translate items in order; an item the backend failed on comes back `failed`, not lost.
    If the backend failed every item, that is a 503; a client that left stops the work."""
    results: list[ItemResult] = []
    faults: list[BackendUnavailable] = []
    for item in items:
        if await request.is_disconnected():
            break
        try:
            results.append(await run_item(runtime, translator, item))
        except BackendUnavailable as exc:
            faults.append(exc)
            results.append(ItemResult(item.text, item.source, "failed", reasons=[exc.message]))
    if faults and len(faults) == len(items):
        raise faults[0]
    return results


@router.post("/v1/translate", response_model=TranslateResponse)
async def translate(
    request: Request,
    body: TranslateBody,
    runtime: RuntimeDep,
    translator: TranslatorDep,
    admission: AdmissionDep,
) -> TranslateResponse:
    """Translate text, HTML or Markdown, keeping markup; each item carries its status."""
    items = item_requests(runtime, body)
    async with admission.slot(runtime.settings.request_deadline):
        results = await run_items(request, runtime, translator, items)
    return TranslateResponse(
        translations=[
            Translation(text=r.text, detected_source=r.detected_source, status=r.status)
            for r in results
        ],  # type: ignore[arg-type]
        model=runtime.resolved["translate"].preset_name,
    )


@router.post(
    "/v1/translate/stream",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"application/x-ndjson": {}}, "description": "one JSON line per item"}
    },
)
async def translate_stream(
    body: TranslateBody, runtime: RuntimeDep, translator: TranslatorDep, admission: AdmissionDep
) -> StreamingResponse:
    """Like /v1/translate, as NDJSON: a line per item as soon as it is done, then a `done` line."""
    requests = item_requests(runtime, body)
    admission.reserve()  # refuse now (429) rather than after the stream has started

    async def item_lines() -> AsyncIterator[str]:
        totals: Counter[str] = Counter()
        for index, request in enumerate(requests):
            try:
                result = await run_item(runtime, translator, request)
                totals[result.status] += 1
                item = {
                    "index": index,
                    "text": result.text,
                    "detected_source": result.detected_source,
                    "status": result.status,
                }
            except DragomanError as exc:  # bad item or backend down: say so on the item's line
                totals["failed"] += 1
                item = {
                    "index": index,
                    "text": request.text,
                    "status": "failed",
                    "error": {"code": exc.code, "message": exc.message},
                }
            yield json.dumps(item, ensure_ascii=False) + "\n"
        done = {
            "done": True,
            "count": len(requests),
            "statuses": dict(totals),
            "model": runtime.resolved["translate"].preset_name,
            "backend_calls": translator.calls,
        }
        yield json.dumps(done) + "\n"

    async def lines() -> AsyncIterator[str]:
        async with admission.admitted():
            async for line in item_lines():
                yield line

    return StreamingResponse(lines(), media_type="application/x-ndjson")
