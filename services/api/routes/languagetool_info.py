"""LanguageTool server's metadata endpoints: `/v2/info`, `/v2/maxtextlength`, `/v2/configinfo`.

Shapes as LanguageTool's own server answers them (languagetool-server's ApiV2): software info,
the longest text a check takes (plain text), and the configuration for a language.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from dragoman.chains import InputError
from dragoman.chains.proofread import taxonomy

from ... import __version__
from ...proofreading import check_language
from ..deps import RuntimeDep
from ..forms import read_fields

TAG = "LanguageTool"
router = APIRouter(tags=[TAG])


@cache
def software() -> dict[str, Any]:
    """The `software` object LanguageTool's answers carry; the build date is when this package
    was built or installed (the time of its files), in LanguageTool's format."""
    built = datetime.fromtimestamp(Path(__file__).stat().st_mtime, tz=UTC)
    return {
        "name": "Dragoman",
        "version": __version__,
        "buildDate": built.strftime("%Y-%m-%d %H:%M"),
        "apiVersion": 1,
        "premium": False,
        "status": "",
    }


@router.get("/v2/info")
def info() -> dict[str, Any]:
    """Which software answers."""
    return {"software": software()}


@router.get("/v2/maxtextlength", response_class=PlainTextResponse)
def max_text_length(runtime: RuntimeDep) -> str:
    """The most characters one check takes, as a bare number."""
    return str(runtime.settings.max_proofread_chars)


@router.get("/v2/configinfo")
@router.post("/v2/configinfo")
async def config_info(request: Request, runtime: RuntimeDep) -> dict[str, Any]:
    """The limits for a language (`language` is required, as there)."""
    try:
        language = (await read_fields(request)).get("language")
    except InputError:  # no parameters at all
        language = None
    if not isinstance(language, str) or not language:
        raise InputError("'language' parameter missing")
    check_language(language)
    return {
        "software": software(),
        "parameter": {"maxTextLength": runtime.settings.max_proofread_chars},
        "rules": [
            {
                "ruleId": rule.id,
                "description": rule.description,
                "categoryId": rule.category,
                "categoryName": taxonomy().category(rule.category).name,
            }
            for rule in taxonomy().listed()
        ],
    }
