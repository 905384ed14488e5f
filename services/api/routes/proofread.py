"""Dragoman's proofreading endpoints: one answer, or NDJSON batches as each layer finishes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from dragoman.chains import DragomanError, ProofreadFormat
from dragoman.chains.proofread import (
    CHECKS,
    Check,
    Issue,
    ProofreadOptions,
    ProofreadResult,
    RuleFilter,
)

from ...proofreading import (
    check_language,
    check_size,
    request_options,
    require_text,
    run_proofread,
    stream_proofread,
)
from ...runtime import Runtime
from ..deps import AdmissionDep, RuntimeDep
from ..jsonbody import CheckedJsonRoute

router = APIRouter(route_class=CheckedJsonRoute)


class ProofreadBody(BaseModel):
    """Text to check, its format, which checks to run and LanguageTool's rule options."""

    text: str
    format: ProofreadFormat = "text"
    checks: list[Check] = Field(default_factory=lambda: list(CHECKS))
    language: str = "en"
    enabled_rules: list[str] = Field(default_factory=list, description="rule ids to show")
    disabled_rules: list[str] = Field(default_factory=list, description="rule ids to hide")
    enabled_categories: list[str] = Field(default_factory=list, description="e.g. TYPOS")
    disabled_categories: list[str] = Field(default_factory=list, description="e.g. STYLE")
    enabled_only: bool = Field(False, description="show only the enabled rules and categories")
    level: str = Field("default", description="'picky' also shows the pickier rules")


class IssueOut(BaseModel):
    """An issue; offset and length count Unicode code points of the input."""

    offset: int
    length: int
    category: Check
    rule: str
    rule_category: str = Field(description="LanguageTool's category id, e.g. GRAMMAR or TYPOS")
    source: str = Field(description="'rules' (deterministic) or 'model'")
    message: str
    replacements: list[str]
    sentence: str
    text: str = Field(description="the flagged span as it stands in the input")


class Stats(BaseModel):
    """What was checked, and how many model suggestions could not be placed in the input."""

    sentences: int
    dropped_ungrounded: int


class ProofreadResponse(BaseModel):
    """Issues in text order."""

    issues: list[IssueOut]
    stats: Stats
    model: str


def _issue_out(issue: Issue) -> IssueOut:
    return IssueOut(
        offset=issue.offset,
        length=issue.length,
        category=issue.category,
        rule=issue.rule,
        rule_category=issue.rule_category,
        source="model" if issue.from_model else "rules",
        message=issue.message,
        replacements=list(issue.replacements),
        sentence=issue.sentence,
        text=issue.text,
    )


async def _options(runtime: Runtime, body: ProofreadBody) -> ProofreadOptions:
    check_language(body.language)
    require_text(body.text)
    check_size(runtime, body.text)
    rules = RuleFilter.parse(
        body.enabled_rules,
        body.disabled_rules,
        body.enabled_categories,
        body.disabled_categories,
        body.enabled_only,
        body.level,
    )
    return await request_options(runtime, list(body.checks), body.language, rules)


@router.post("/v1/proofread", response_model=ProofreadResponse)
async def proofread(
    body: ProofreadBody, runtime: RuntimeDep, admission: AdmissionDep
) -> ProofreadResponse:
    """Flag grammar, spelling, passive voice and style issues with exact offsets and fixes."""
    options = await _options(runtime, body)
    async with admission.slot(runtime.settings.request_deadline):
        result = await run_proofread(runtime, body.text, body.format, options)
    return ProofreadResponse(
        issues=[_issue_out(i) for i in result.issues],
        stats=Stats(sentences=result.sentences, dropped_ungrounded=result.dropped_ungrounded),
        model=runtime.models.resolved["proofread"].preset_name,
    )


@router.post(
    "/v1/proofread/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}, "description": "issue lines"}},
)
async def proofread_stream(
    body: ProofreadBody, runtime: RuntimeDep, admission: AdmissionDep
) -> StreamingResponse:
    """Like /v1/proofread, as NDJSON: a line per issue, the rules' first, then a `done` line."""
    options = await _options(runtime, body)

    async def lines() -> AsyncIterator[str]:
        result = ProofreadResult()
        try:
            async for batch in stream_proofread(runtime, body.text, body.format, options, result):
                # A batch is one write, an empty one none: thousands sent one by one cost a second.
                if batch:
                    yield "".join(_issue_out(issue).model_dump_json() + "\n" for issue in batch)
        except DragomanError as exc:  # the backend failed mid-way: say so, keep what was sent
            yield json.dumps({"error": {"code": exc.code, "message": exc.message}}) + "\n"
        stats = Stats(sentences=result.sentences, dropped_ungrounded=result.dropped_ungrounded)
        yield json.dumps({"done": True, "stats": stats.model_dump()}) + "\n"

    return admission.stream(lines)
