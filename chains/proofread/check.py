"""Proofreading a whole input: regions → sentences → checks → issues grounded in the input."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import Any

from ..errors import InputError
from .diff import diff_edits
from .grammar import Corrector
from .issues import CHECKS, Check, Issue, ProofreadResult
from .passive import Passive, find_passives
from .regions import Region, prose_regions
from .rules import rule_issues

_KINDS = {
    "agentless": ("PASSIVE_VOICE", "Passive voice: who does this? Consider the active voice."),
    "by-agent": (
        "PASSIVE_VOICE_BY_AGENT",
        "Passive voice with its agent named: the active voice is usually clearer.",
    ),
    "get-passive": ("GET_PASSIVE", "Passive voice with “get”: consider the active voice."),
}


@dataclass
class _Sentence:
    region: int
    start: int
    end: int
    text: str


def _passive_issue(passive: Passive, region: Region) -> Issue:
    rule, message = _KINDS[passive.kind]
    group = region.text[passive.start : passive.end]
    return Issue(
        passive.start,
        passive.end - passive.start,
        "passive_voice",
        rule,
        f"{message} (“{group}”)",
        short_message="Passive voice",
    )


def _grammar_issues(sentence: _Sentence, corrected: str) -> list[Issue] | None:
    edits = diff_edits(sentence.text, corrected)
    if edits is None:
        return None
    issues = []
    for edit in edits:
        original = sentence.text[edit.start : edit.end]
        message = (
            f"Possible grammar error: “{original.strip()}” → “{edit.replacement}”."
            if edit.replacement
            else f"Remove “{original.strip()}”."
        )
        issues.append(
            Issue(
                sentence.start + edit.start,
                edit.end - edit.start,
                "grammar",
                "LLM_GRAMMAR",
                message,
                (edit.replacement,),
                short_message="Grammar",
            )
        )
    return issues


def _sentence_at(sentences: list[_Sentence], region: int, offset: int) -> str:
    for s in sentences:
        if s.region == region and s.start <= offset < s.end:
            return s.text
    return ""


def _deduplicate(issues: list[Issue]) -> list[Issue]:
    """Drop a model's edit where a rule already flagged an overlapping span (rules come first)."""
    kept: list[Issue] = []
    for issue in issues:
        if issue.rule == "LLM_GRAMMAR" and any(
            k.category != "passive_voice"
            and k.offset < issue.offset + issue.length
            and issue.offset < k.offset + k.length
            for k in kept
        ):
            continue
        kept.append(issue)
    return sorted(kept, key=lambda i: (i.offset, i.length))


async def proofread(
    text: str, fmt: str, checks: list[Check], nlp: Any, corrector: Corrector | None
) -> ProofreadResult:
    """Check `text` of format `fmt`; every issue's offsets point into `text` itself."""
    unknown = sorted(set(checks) - set(CHECKS))
    if unknown:
        raise InputError(f"unknown checks {unknown}; expected some of: {', '.join(CHECKS)}")
    regions = prose_regions(text, fmt)
    result = ProofreadResult()
    found: list[tuple[int, Issue]] = []
    sentences: list[_Sentence] = []
    passives: list[tuple[int, Passive]] = []
    for n, region in enumerate(regions):
        doc = nlp(region.text)
        sentences += [
            _Sentence(n, s.start_char, s.end_char, s.text) for s in doc.sents if s.text.strip()
        ]
        found += [(n, i) for i in rule_issues(region.text, checks)]
        if "passive_voice" in checks:
            passives += [(n, p) for p in find_passives(doc)]
    result.sentences = len(sentences)
    found += [(n, _passive_issue(p, regions[n])) for n, p in passives]
    if corrector is not None and "passive_voice" in checks:
        found = await _with_rewrites(found, passives, sentences, regions, corrector)
    if corrector is not None and "grammar" in checks:
        corrections = await corrector.correct([s.text for s in sentences])
        result.dropped_ungrounded += corrections.ungrounded
        for sentence, corrected in zip(sentences, corrections.sentences, strict=True):
            if corrected is not None:
                found += [(sentence.region, i) for i in _grammar_issues(sentence, corrected) or []]
    result.issues = _deduplicate(_ground(found, regions, sentences, text, result))
    return result


def _ground(
    found: list[tuple[int, Issue]],
    regions: list[Region],
    sentences: list[_Sentence],
    text: str,
    result: ProofreadResult,
) -> list[Issue]:
    """Move issues onto input offsets; drop (and count) any whose span is not verbatim there."""
    grounded = []
    for n, issue in found:
        span = regions[n].to_input(issue.offset, issue.offset + issue.length)
        local = regions[n].text[issue.offset : issue.offset + issue.length]
        if span is None or text[span[0] : span[1]] != local:
            result.dropped_ungrounded += 1
            continue
        sentence = _sentence_at(sentences, n, issue.offset)
        grounded.append(
            replace(
                issue,
                offset=span[0],
                length=span[1] - span[0],
                sentence=sentence.strip(),
                text=local,
            )
        )
    return grounded


async def _with_rewrites(found, passives, sentences, regions, corrector: Corrector):
    """Add the model's active rewrite to messages of passives whose agent is named."""

    async def rewrite(n: int, passive: Passive) -> str | None:
        if passive.kind != "by-agent" or not passive.agent:
            return None
        return await corrector.rewrite_active(
            _sentence_at(sentences, n, passive.start), passive.agent
        )

    rewrites = await asyncio.gather(*(rewrite(n, p) for n, p in passives))
    by_start = {(n, p.start): r for (n, p), r in zip(passives, rewrites, strict=True) if r}
    out = []
    for n, issue in found:
        active = by_start.get((n, issue.offset)) if issue.category == "passive_voice" else None
        out.append(
            (n, replace(issue, message=f"{issue.message} Active: “{active}”") if active else issue)
        )
    return out
