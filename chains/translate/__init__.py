"""Markup-preserving translation: prompts, batching, validation and repair, whole documents."""

from .document import (
    ItemResult,
    TranslateRequest,
    build_translate_chain,
    plan_document,
    translate_document,
)
from .engine import Translator
from .profile import ModelProfile, TranslateOptions

__all__ = [
    "ItemResult",
    "ModelProfile",
    "TranslateOptions",
    "TranslateRequest",
    "Translator",
    "build_translate_chain",
    "plan_document",
    "translate_document",
]
