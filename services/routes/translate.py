"""Dragoman's own translation endpoints: one answer, or NDJSON lines as items finish."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from chains.errors import DragomanError, InputError, InputTooLarge
from chains.languages import normalize_code
from chains.translate import ItemResult, TranslateRequest, Translator, translate_document

from ..deps import RuntimeDep, TranslatorDep
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


@router.post("/v1/translate", response_model=TranslateResponse)
async def translate(
    body: TranslateBody, runtime: RuntimeDep, translator: TranslatorDep
) -> TranslateResponse:
    """Translate text, HTML or Markdown, keeping markup; each item carries its status."""
    results = [await run_item(runtime, translator, r) for r in item_requests(runtime, body)]
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
    body: TranslateBody, runtime: RuntimeDep, translator: TranslatorDep
) -> StreamingResponse:
    """Like /v1/translate, as NDJSON: a line per item as soon as it is done, then a `done` line."""
    requests = item_requests(runtime, body)

    async def lines() -> AsyncIterator[str]:
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

    return StreamingResponse(lines(), media_type="application/x-ndjson")
