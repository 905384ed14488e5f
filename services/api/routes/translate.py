"""Dragoman's own translation endpoints: one answer, or NDJSON lines as items finish."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from dragoman.chains import DragomanError, TextFormat
from dragoman.chains.translate import Status, TranslateRequest

from ...settings import Settings
from ...translation import item_requests, translate_item, translate_items
from ..deps import AdmissionDep, RuntimeDep, TranslatorDep
from ..jsonbody import CheckedJsonRoute

router = APIRouter(route_class=CheckedJsonRoute)


class TranslateBody(BaseModel):
    """What to translate: one text or a list, into `target`."""

    q: str | list[str] = Field(description="text, or a list of texts, to translate")
    source: str = Field("auto", description="language code of the text, or auto")
    target: str = Field(description="language code to translate into")
    format: TextFormat = "text"
    context: str | None = Field(None, description="untranslated context, e.g. the thread title")
    glossary: dict[str, str] | None = Field(None, description="fixed renderings {term: rendering}")


def requests_of(settings: Settings, body: TranslateBody) -> list[TranslateRequest]:
    """One checked TranslateRequest per text of the body."""
    return item_requests(
        settings, body.q, body.target, body.source, body.format, body.context, body.glossary
    )


class Translation(BaseModel):
    """One translated item."""

    text: str
    detected_source: str
    status: Status


class TranslateResponse(BaseModel):
    """Translations in the order of `q`, and the preset that made them."""

    translations: list[Translation]
    model: str = Field(description="preset used for translation")


@router.post("/v1/translate", response_model=TranslateResponse)
async def translate(
    request: Request,
    body: TranslateBody,
    runtime: RuntimeDep,
    translator: TranslatorDep,
    admission: AdmissionDep,
) -> TranslateResponse:
    """Translate text, HTML or Markdown, keeping markup; each item carries its status."""
    items = requests_of(runtime.settings, body)
    async with admission.slot(runtime.settings.request_deadline):
        results = await translate_items(runtime, translator, items, request.is_disconnected)
    return TranslateResponse(
        translations=[
            Translation(text=r.text, detected_source=r.detected_source, status=r.status)
            for r in results
        ],
        model=runtime.models.resolved["translate"].preset_name,
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
    requests = requests_of(runtime.settings, body)

    async def item_lines() -> AsyncIterator[str]:
        totals: Counter[str] = Counter()
        for index, request in enumerate(requests):
            try:
                result = await translate_item(runtime, translator, request)
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
            "model": runtime.models.resolved["translate"].preset_name,
            "backend_calls": translator.calls,
            # Prompt tokens the backend reported, and how many of them came from its cache.
            "usage": dataclasses.asdict(translator.usage),
        }
        yield json.dumps(done) + "\n"

    return admission.stream(item_lines)
