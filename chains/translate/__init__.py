"""Markup-preserving translation: prompts, batching, validation and repair, whole documents."""

from .budget import estimate_tokens
from .document import (
    TranslateRequest,
    build_translate_chain,
    plan_document,
    translate_document,
    translate_segments,
    translate_variant,
)
from .engine import TokenCounter, Translator
from .job import Job, Memory, TranslateOptions
from .prompting import single_prompt
from .result import REMEMBERED, STATUSES, Outcome, Status, TranslationResult
from .validate import Rejected, check_answer

__all__ = [
    "REMEMBERED",
    "STATUSES",
    "Job",
    "Memory",
    "Outcome",
    "Rejected",
    "Status",
    "TranslateOptions",
    "TranslateRequest",
    "TranslationResult",
    "TokenCounter",
    "Translator",
    "build_translate_chain",
    "check_answer",
    "estimate_tokens",
    "plan_document",
    "single_prompt",
    "translate_document",
    "translate_segments",
    "translate_variant",
]
