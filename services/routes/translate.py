"""Translation endpoints."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from chains.detect import resolve_source
from chains.errors import InputError
from chains.languages import normalize_code
from chains.translate_text import translate_lines

from ..deps import RuntimeDep, TranslateTextChainDep
from ..faults import backend_errors

router = APIRouter()


class TranslateRequest(BaseModel):
    """What to translate: one text or a list, into `target`."""

    q: str | list[str]
    source: str = "auto"
    target: str
    format: Literal["text"] = "text"


class Translation(BaseModel):
    """One translated item."""

    text: str
    detected_source: str
    status: Literal["ok", "repaired", "fallback", "failed"]


class TranslateResponse(BaseModel):
    """Translations in the order of `q`, and the preset that made them."""

    translations: list[Translation]
    model: str = Field(description="preset used for translation")


def _texts(q: str | list[str]) -> list[str]:
    texts = [q] if isinstance(q, str) else q
    if not texts or not any(t.strip() for t in texts):
        raise InputError("q is empty: give a text or a list of texts to translate")
    return texts


@router.post("/v1/translate", response_model=TranslateResponse)
async def translate(
    body: TranslateRequest, runtime: RuntimeDep, chain: TranslateTextChainDep
) -> TranslateResponse:
    """Translate plain text line by line."""
    texts = _texts(body.q)
    target = normalize_code(body.target)
    requested = body.source if body.source == "auto" else normalize_code(body.source)

    def run() -> list[Translation]:
        out = []
        for text in texts:
            source = resolve_source(requested, text) if text.strip() else target
            out.append(
                Translation(
                    text=translate_lines(text, source, target, chain),
                    detected_source=source,
                    status="ok",
                )
            )
        return out

    with backend_errors(runtime.url("translate")):
        translations = await run_in_threadpool(run)
    return TranslateResponse(
        translations=translations, model=runtime.resolved["translate"].preset_name
    )
