"""Dragoman's proofreading endpoint."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from dragoman.chains import ProofreadFormat
from dragoman.chains.proofread import CHECKS, Check

from ..deps import AdmissionDep, RuntimeDep
from ..proofreading import check_language, check_size, run_proofread

router = APIRouter()


class ProofreadBody(BaseModel):
    """Text to check, its format and which checks to run."""

    text: str
    format: ProofreadFormat = "text"
    checks: list[Check] = Field(default_factory=lambda: list(CHECKS))
    language: str = "en"


class IssueOut(BaseModel):
    """An issue; offset and length count Unicode code points of the input."""

    offset: int
    length: int
    category: Check
    rule: str
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


@router.post("/v1/proofread", response_model=ProofreadResponse)
async def proofread(
    body: ProofreadBody, runtime: RuntimeDep, admission: AdmissionDep
) -> ProofreadResponse:
    """Flag grammar, passive voice and style issues with exact offsets and fixes."""
    check_language(body.language)
    check_size(runtime, body.text)
    async with admission.slot(runtime.settings.request_deadline):
        result = await run_proofread(runtime, body.text, body.format, list(body.checks))
    issues = [
        IssueOut(
            offset=i.offset,
            length=i.length,
            category=i.category,
            rule=i.rule,
            message=i.message,
            replacements=list(i.replacements),
            sentence=i.sentence,
            text=i.text,
        )
        for i in result.issues
    ]
    return ProofreadResponse(
        issues=issues,
        stats=Stats(sentences=result.sentences, dropped_ungrounded=result.dropped_ungrounded),
        model=runtime.resolved["proofread"].preset_name,
    )
