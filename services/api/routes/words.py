"""LanguageTool's personal dictionary, `/v2/words`: words that are never flagged as misspelled."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ..deps import RuntimeDep
from ..forms import read_fields, validated
from .languagetool_info import TAG

router = APIRouter(tags=[TAG])


class WordFields(BaseModel):
    """The word to add or delete (LanguageTool's `dict`, `username` and `apiKey` are accepted);
    Dragoman's `language` keeps it for one language only (every language without it)."""

    word: str
    language: str = ""


class ListFields(BaseModel):
    """Paging of the word list, as LanguageTool pages it; `language` lists the words known in it."""

    offset: int = Field(0, ge=0)
    limit: int = Field(10, ge=1, le=500)
    language: str = ""


async def _fields(request: Request) -> dict[str, Any]:
    fields: dict[str, Any] = dict(request.query_params)
    if await request.body():
        fields |= await read_fields(request)
    return fields


@router.get("/v2/words")
async def list_words(request: Request, runtime: RuntimeDep) -> dict[str, list[str]]:
    """The personal dictionary's words, `limit` of them from `offset`."""
    page = validated(ListFields, dict(request.query_params))
    everything = await run_in_threadpool(runtime.stores.dictionary.words, page.language)
    return {"words": everything[page.offset : page.offset + page.limit]}


@router.post("/v2/words/add")
async def add_word(request: Request, runtime: RuntimeDep) -> dict[str, bool]:
    """Add a word; `added` is false when it was already there."""
    fields = validated(WordFields, await _fields(request))
    added = await run_in_threadpool(runtime.stores.dictionary.add, fields.word, fields.language)
    return {"added": added}


@router.post("/v2/words/delete")
async def delete_word(request: Request, runtime: RuntimeDep) -> dict[str, bool]:
    """Delete a word users added; `deleted` is false when it was not there."""
    fields = validated(WordFields, await _fields(request))
    dictionary = runtime.stores.dictionary
    deleted = await run_in_threadpool(dictionary.delete, fields.word, fields.language)
    return {"deleted": deleted}
