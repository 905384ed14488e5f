"""LibreTranslate-compatible endpoints, so existing LibreTranslate clients work unchanged.

Contract: https://libretranslate.com/docs — `POST /translate` with `q` (string or list),
`source` (may be `auto`), `target`, `format` (text|html), `api_key`; `GET /languages`;
`POST /detect`. Bodies may be JSON or form-encoded.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from dragoman.chains import InputError, detect_language, language_names

from ..deps import AdmissionDep, RuntimeDep, TranslatorDep
from ..forms import read_fields, validated
from ..translation import item_requests, translate_items

router = APIRouter(tags=["LibreTranslate"])


class LibreTranslateBody(BaseModel):
    """LibreTranslate's /translate parameters."""

    q: str | list[str]
    source: str = "auto"
    target: str
    format: Literal["text", "html"] = "text"
    api_key: str | None = None
    alternatives: int = Field(0, ge=0)


class DetectedLanguage(BaseModel):
    """A detected language with a confidence in percent."""

    confidence: float
    language: str


class LibreTranslateResponse(BaseModel):
    """`translatedText` mirrors `q`: a string for a string, a list for a list."""

    translatedText: str | list[str]  # noqa: N815 - LibreTranslate's field name
    detectedLanguage: DetectedLanguage | list[DetectedLanguage] | None = None  # noqa: N815


class Language(BaseModel):
    """A language and the targets it can be translated into."""

    code: str
    name: str
    targets: list[str]


def _detected(text: str) -> DetectedLanguage:
    language, probability = detect_language(text)
    return DetectedLanguage(confidence=round(probability * 100, 1), language=language)


@router.post("/translate", response_model=LibreTranslateResponse, response_model_exclude_none=True)
async def translate(
    request: Request, runtime: RuntimeDep, translator: TranslatorDep, admission: AdmissionDep
) -> LibreTranslateResponse:
    """Translate like LibreTranslate does, keeping HTML markup when format is html."""
    body = validated(LibreTranslateBody, await read_fields(request))
    items = item_requests(runtime.settings, body.q, body.target, body.source, body.format)
    async with admission.slot(runtime.settings.request_deadline):
        results = await translate_items(runtime, translator, items, request.is_disconnected)
    texts = [r.text for r in results]
    detected = None
    if body.source == "auto":
        found = [
            DetectedLanguage(confidence=round(r.confidence * 100, 1), language=r.detected_source)
            for r in results
        ]
        detected = found[0] if isinstance(body.q, str) else found
    return LibreTranslateResponse(
        translatedText=texts[0] if isinstance(body.q, str) else texts, detectedLanguage=detected
    )


@router.get("/languages", response_model=list[Language])
def languages() -> list[Language]:
    """Every supported language; any of them translates into any other."""
    names = language_names()
    return [
        Language(code=c, name=n, targets=[t for t in names if t != c]) for c, n in names.items()
    ]


@router.post("/detect", response_model=list[DetectedLanguage])
async def detect(request: Request) -> list[DetectedLanguage]:
    """Detect the language of `q`, best guess first."""
    fields = await read_fields(request)
    text = fields.get("q")
    if not isinstance(text, str) or not text.strip():
        raise InputError("q is empty: give the text whose language to detect")
    return [_detected(text)]
