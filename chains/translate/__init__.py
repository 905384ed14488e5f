"""Markup-preserving translation: prompts, batching, validation and repair, whole documents."""

from ..errors import Rejected
from .budget import estimate_tokens
from .document import (
    TranslateRequest,
    build_translate_chain,
    rehearse_document,
    translate_document,
    translate_segments,
    translate_variant,
)
from .engine import TokenCounter, Translator
from .fewshot import Example, closest, match_score, terms
from .job import Job, Memory, Origin, TranslateOptions, imported_key, normalize
from .prompting import single_prompt
from .requests import CallBuilder, ModelCall
from .result import REMEMBERED, STATUSES, Outcome, Status, TranslationResult, worst
from .validate import check_answer

__all__ = [
    "REMEMBERED",
    "STATUSES",
    "CallBuilder",
    "Example",
    "Job",
    "Memory",
    "ModelCall",
    "Origin",
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
    "closest",
    "estimate_tokens",
    "imported_key",
    "match_score",
    "normalize",
    "rehearse_document",
    "single_prompt",
    "terms",
    "translate_document",
    "worst",
    "translate_segments",
    "translate_variant",
]
