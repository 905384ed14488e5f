"""LibreTranslate-compatible endpoints, so existing LibreTranslate clients work unchanged.

Contract: https://libretranslate.com/docs — `POST /translate` with `q` (string or list),
`source` (may be `auto`), `target`, `format` (text|html), `alternatives`, `api_key`;
`GET /languages`; `POST /detect`; `GET /frontend/settings`; `POST /suggest`. Parameters come in
the query string or a JSON, urlencoded or multipart body (services.forms); errors answer
{"error": "message"} with 400 for bad input and 403 for a bad key (services.errormap).
Files: services.routes.libretranslate_files.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from dragoman.chains import FILE_FORMATS, InputError, detect_language, language_names

from ...errors import Forbidden
from ...translation import alternatives, item_requests, translate_items
from ..deps import AdmissionDep, RuntimeDep, TranslatorDep
from ..forms import read_fields, validated

TAG = "LibreTranslate"
router = APIRouter(tags=[TAG])
# The codes LibreTranslate lists where Dragoman's differ; the reverse (and the older zt, pb)
# are aliases in prompts/languages.toml.
_LIBRETRANSLATE_CODES = {"zh": "zh-Hans", "zh-TW": "zh-Hant"}


def libretranslate_code(code: str) -> str:
    """A Dragoman language code as LibreTranslate lists it."""
    return _LIBRETRANSLATE_CODES.get(code, code)


class LibreTranslateBody(BaseModel):
    """LibreTranslate's /translate parameters."""

    q: str | list[str]
    source: str = "auto"
    target: str
    format: Literal["text", "html"] = "text"
    api_key: str | None = None
    alternatives: int = 0


class DetectedLanguage(BaseModel):
    """A detected language with a confidence in percent."""

    confidence: float
    language: str


class LibreTranslateResponse(BaseModel):
    """`translatedText` mirrors `q`: a string for a string, a list for a list."""

    translatedText: str | list[str]  # noqa: N815 - LibreTranslate's field name
    detectedLanguage: DetectedLanguage | list[DetectedLanguage] | None = None  # noqa: N815
    alternatives: list[str] | list[list[str]] | None = None


class Language(BaseModel):
    """A language and the targets it can be translated into."""

    code: str
    name: str
    targets: list[str]


def _detected(code: str, probability: float) -> DetectedLanguage:
    return DetectedLanguage(
        confidence=round(probability * 100, 1), language=libretranslate_code(code)
    )


def _wanted_alternatives(body: LibreTranslateBody, limit: int) -> int:
    """LibreTranslate's rule: below zero counts as none, above the server's limit is refused."""
    if body.alternatives > limit:
        raise InputError(f"Invalid request: alternatives parameter must be <= {limit}")
    return max(0, body.alternatives)


@router.post("/translate", response_model=LibreTranslateResponse, response_model_exclude_none=True)
async def translate(
    request: Request, runtime: RuntimeDep, translator: TranslatorDep, admission: AdmissionDep
) -> LibreTranslateResponse:
    """Translate like LibreTranslate does, keeping HTML markup when format is html."""
    body = validated(LibreTranslateBody, await read_fields(request))
    count = _wanted_alternatives(body, runtime.settings.max_alternatives)
    items = item_requests(runtime.settings, body.q, body.target, body.source, body.format)
    async with admission.slot(runtime.settings.request_deadline):
        results = await translate_items(runtime, translator, items, request.is_disconnected)
        variants = [
            await alternatives(runtime, translator, item, result, count)
            for item, result in zip(items, results, strict=True)
        ]
    one = isinstance(body.q, str)
    texts = [r.text for r in results]
    detected = None
    if body.source == "auto":
        found = [_detected(r.detected_source, r.confidence) for r in results]
        detected = found[0] if one else found
    return LibreTranslateResponse(
        translatedText=texts[0] if one else texts,
        detectedLanguage=detected,
        alternatives=(variants[0] if one else variants) if count else None,
    )


@router.get("/languages", response_model=list[Language])
def languages() -> list[Language]:
    """Every supported language, by LibreTranslate's codes; any translates into any other."""
    names = {libretranslate_code(c): n for c, n in language_names().items()}
    return [
        Language(code=c, name=n, targets=[t for t in names if t != c]) for c, n in names.items()
    ]


@router.post("/detect", response_model=list[DetectedLanguage])
async def detect(request: Request) -> list[DetectedLanguage]:
    """Detect the language of `q`, best guess first (text without letters: en at 0, as there)."""
    text = (await read_fields(request)).get("q")
    if not isinstance(text, str) or not text.strip():
        raise InputError("Invalid request: missing q parameter")
    return [_detected(*detect_language(text))]


@router.get("/frontend/settings")
def frontend_settings(runtime: RuntimeDep) -> dict[str, Any]:
    """The limits and features LibreTranslate's clients read before translating."""
    settings = runtime.settings
    extensions = [e for f in FILE_FORMATS.values() if f.translated for e in f.extensions]
    return {
        "charLimit": settings.max_chars,
        "frontendTimeout": int(settings.request_deadline * 1000),
        "apiKeys": True,
        "keyRequired": True,  # every request but this metadata needs the token as api_key
        "suggestions": False,
        "filesTranslation": True,
        "supportedFilesFormat": extensions,
        "language": {
            "source": {"code": "auto", "name": "Auto Detect"},
            "target": {"code": "en", "name": language_names()["en"]},
        },
    }


@router.post("/suggest")
async def suggest() -> dict[str, bool]:
    """Refuse as LibreTranslate does with suggestions off: Dragoman keeps no suggestions."""
    raise Forbidden("Suggestions are disabled on this server.")
