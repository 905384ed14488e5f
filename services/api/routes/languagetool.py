"""LanguageTool-compatible `/v2/check` and `/v2/languages`, so LanguageTool's browser extension,
LTeX and editor plugins can use Dragoman as their server.

Contract: https://languagetool.org/http-api/ — offsets and lengths in UTF-16 code units; the
`data` field carries AnnotatedText, whose markup is skipped and whose offsets are the document's.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from dragoman.chains import InputError, is_english, primary
from dragoman.chains.proofread import CHECKS, Category, Issue, ProofreadResult, RuleFilter, taxonomy

from ...proofreading import check_language_of, check_size, request_options, run_proofread
from ...proofreading import display_language as _display_name
from ...spelling import dictionaries
from ..deps import AdmissionDep, RuntimeDep
from ..forms import read_fields, validated
from .languagetool_info import TAG, software

router = APIRouter(tags=[TAG])
_CONTEXT = 40  # characters of context on each side, as LanguageTool gives
_SENTENCE_SHOWN = 1000  # characters of its sentence a match carries at most
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class CheckFields(BaseModel):
    """LanguageTool's /v2/check parameters (those Dragoman uses)."""

    text: str | None = None
    data: str | None = None
    language: str = "auto"
    enabledRules: str = ""  # noqa: N815 - LanguageTool's names
    disabledRules: str = ""  # noqa: N815
    enabledCategories: str = ""  # noqa: N815
    disabledCategories: str = ""  # noqa: N815
    enabledOnly: str = "false"  # noqa: N815
    level: str = "default"
    # With language=auto: the variants a detected language is checked as (de-AT, pt-BR). The
    # writer's first language, motherTongue, only feeds LanguageTool's false-friend rules.
    preferredVariants: str = ""  # noqa: N815
    motherTongue: str = ""  # noqa: N815

    def preferred(self) -> tuple[str, ...]:
        """The preferred variants, each checked to be a language Dragoman knows."""
        variants = tuple(v.strip() for v in self.preferredVariants.split(",") if v.strip())
        if variants and self.language.strip().lower() != "auto":
            raise InputError("preferredVariants can only be used with language=auto")
        for variant in variants:
            if "-" not in variant:
                raise InputError(f"preferredVariants needs variants like de-AT, not {variant!r}")
        return variants

    def rule_filter(self) -> RuleFilter:
        """The rule options as Dragoman's filter."""
        return RuleFilter.parse(
            self.enabledRules,
            self.disabledRules,
            self.enabledCategories,
            self.disabledCategories,
            self.enabledOnly.strip().lower() == "true",
            self.level,
        )


class Utf16:
    """Code points → UTF-16 code units in one text, for the offsets LanguageTool clients expect:
    its astral characters (two units each) are found once, so an offset costs a bisection, not a
    copy of all before it (thousands of matches in 100,000 characters took seconds)."""

    def __init__(self, text: str) -> None:
        self._astral = [m.start() for m in _ASTRAL.finditer(text)]

    def __call__(self, index: int) -> int:
        return index + bisect_left(self._astral, index)


def plain_from_annotation(data: str) -> tuple[str, str, list[int]]:
    """AnnotatedText → (document, plain text to check, document offset of each plain char or -1)."""
    try:
        parts = json.loads(data)["annotation"]
    except (ValueError, KeyError, TypeError):
        raise InputError(
            'data must be JSON like {"annotation": [{"text": "…"}, {"markup": "…"}]}'
        ) from None
    document, plain = "", ""
    origins: list[int] = []
    for part in parts:
        if "text" in part:
            plain += part["text"]
            origins += range(len(document), len(document) + len(part["text"]))
            document += part["text"]
        elif "markup" in part:
            spoken = part.get("interpretAs", "")
            plain += spoken
            origins += [-1] * len(spoken)
            document += part["markup"]
        else:
            raise InputError("every annotation part needs 'text' or 'markup'")
    return document, plain, origins


def _type_name(issue: Issue, category: Category) -> str:
    if issue.rule.startswith("MORFOLOGIK_RULE"):
        return "UnknownWord"
    return "Hint" if category.issue_type == "style" else "Other"


def _sentence(issue: Issue, document: str, start: int, end: int) -> str:
    """The match's sentence; of a longer one than _SENTENCE_SHOWN, the part around the match:
    each of thousands of matches in one long sentence carried all of it (8 GB of answer for
    100,000 characters)."""
    if len(issue.sentence) <= _SENTENCE_SHOWN:
        return issue.sentence
    half = _SENTENCE_SHOWN // 2
    return document[max(0, start - half) : end + half]


def _match(issue: Issue, document: str, units: Utf16, start: int, end: int) -> dict[str, Any]:
    category = taxonomy().category(issue.rule_category)
    left, right = max(0, start - _CONTEXT), min(len(document), end + _CONTEXT)
    context = document[left:right]
    in_context = Utf16(context)
    return {
        "message": issue.message,
        "shortMessage": issue.short_message,
        "replacements": [{"value": r} for r in issue.replacements],
        "offset": units(start),
        "length": units(end) - units(start),
        "context": {
            "text": context,
            "offset": in_context(start - left),
            "length": in_context(end - left) - in_context(start - left),
        },
        "sentence": _sentence(issue, document, start, end),
        "type": {"typeName": _type_name(issue, category)},
        "rule": {
            "id": issue.rule,
            "description": issue.short_message or issue.rule,
            "issueType": category.issue_type,
            "urls": [{"value": url} for url in taxonomy().urls(issue.rule)],
            "category": {"id": category.id, "name": category.name},
        },
        "ignoreForIncompleteSentence": False,
        "contextForSureMatch": 0,
    }


@router.get("/v2/check")
@router.post("/v2/check")
async def check(request: Request, runtime: RuntimeDep, admission: AdmissionDep) -> dict[str, Any]:
    """Check text or AnnotatedText and answer in LanguageTool's format."""
    fields = validated(CheckFields, await read_fields(request))
    rules = fields.rule_filter()
    origins: Sequence[int]  # where each character of the checked text is in the document
    if fields.data is not None:
        document, plain, origins = plain_from_annotation(fields.data)
    elif fields.text is not None:
        document = plain = fields.text
        origins = range(len(plain))
    else:
        raise InputError("give the text to check in 'text' or 'data'")
    preferred = fields.preferred()
    check_size(runtime, plain)  # before detection, which reads the whole text
    language = await run_in_threadpool(check_language_of, fields.language, plain, preferred)
    asked = "auto" if fields.language.strip().lower() == "auto" else language.code
    options = await request_options(runtime, list(CHECKS), asked, rules, preferred)
    result = ProofreadResult()  # LanguageTool answers empty or markup-only text with no matches
    if plain.strip() and language.checkable:
        async with admission.slot(runtime.settings.request_deadline):
            result = await run_proofread(runtime, plain, "text", options)
    matches = []
    units = Utf16(document)
    for issue in result.issues:
        span = origins[issue.offset : issue.offset + issue.length]
        if not span or -1 in span:
            continue
        matches.append(_match(issue, document, units, span[0], span[-1] + 1))
    sentence_ranges = [
        (kept[0], kept[-1] + 1)
        for start, end in result.sentence_spans
        if (kept := [o for o in origins[start:end] if o >= 0])
    ]
    unchecked = sorted(result.unchecked | (set() if language.checkable else {language.code}))
    grammar = sorted(result.grammar_unchecked)
    warnings: dict[str, Any] = {"incompleteResults": bool(unchecked or grammar)}
    said = []
    if unchecked:
        names = ", ".join(_display_name(code) for code in unchecked)
        said.append(
            f"not checked: {names} (Dragoman checks English, and spelling in the languages "
            "of /v2/languages)"
        )
    if grammar:
        names = ", ".join(_display_name(code) for code in grammar)
        said.append(f"grammar not checked: {names} (its checker could not run; see the log)")
    if said:
        warnings["message"] = "; ".join(said)
    return {
        "software": software(),
        "warnings": warnings,
        "language": {
            "name": language.name,
            "code": language.code,
            "detectedLanguage": {
                "name": language.detected_name,
                "code": language.detected_code,
                "confidence": language.confidence,
            },
        },
        "matches": matches,
        "sentenceRanges": [[units(start), units(end)] for start, end in sentence_ranges],
    }


# What each language gets, beside LanguageTool's three fields (clients read those and skip the
# rest): English every check; other languages spelling, from their Hunspell dictionary.
_ENGLISH_CHECKS = ["spelling", "grammar", "style", "passive_voice"]
_SPELLING_ONLY = ["spelling"]


@router.get("/v2/languages")
def languages() -> list[dict[str, Any]]:
    """The languages Dragoman proofreads: English (every check) and each language with a
    Hunspell dictionary here (spelling; passive voice is English only, as in LanguageTool)."""
    listed: list[dict[str, Any]] = [
        {"name": name, "code": "en", "longCode": code, "checks": _ENGLISH_CHECKS}
        for name, code in (("English", "en"), ("English (US)", "en-US"), ("English (GB)", "en-GB"))
    ]
    seen = {entry["longCode"] for entry in listed}
    for code, language in dictionaries().languages.items():
        short = primary(code)
        if is_english(code):
            continue
        for long_code, name in ((short, _display_name(short)), (code, language.name)):
            if long_code not in seen:
                entry = {"name": name, "code": short, "longCode": long_code}
                listed.append(entry | {"checks": _SPELLING_ONLY})
                seen.add(long_code)
    return listed
