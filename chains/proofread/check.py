"""Proofreading a whole input: regions → sentences → layers → issues grounded in the input.

The deterministic layers (Harper, Dragoman's rules, passive voice) answer first; the model's
corrections follow paragraph by paragraph. Where a model edit overlaps a deterministic issue,
the deterministic one wins. Every offset is Dragoman's, checked verbatim against the input.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

from ..errors import InputError
from .diff import WordAligner
from .fluency import fluency_issues
from .french import grammalecte_issues
from .grammar import Corrector
from .harper import harper_issues_of
from .issues import CHECKS, Issue, ProofreadResult, overlaps
from .parsing import Layers, Parsed, ProofreadOptions, parse, sentence_spans
from .passive import Passive
from .regions import Region
from .rules import rule_issues
from .spelling import spelling_issues
from .taxonomy import taxonomy
from .verify import judged_by_model, verify_held

_LOANWORDS = "en-US"  # the language whose words other languages borrow most
_PASSIVE_MESSAGES = {
    "agentless": ("PASSIVE_VOICE", "Passive voice: who does this? Consider the active voice."),
    "by-agent": (
        "PASSIVE_VOICE_BY_AGENT",
        "Passive voice with its agent named: the active voice is usually clearer.",
    ),
    "get-passive": ("GET_PASSIVE", "Passive voice with “get”: consider the active voice."),
}


def _passive_issue(passive: Passive, region: Region) -> Issue:
    rule, message = _PASSIVE_MESSAGES[passive.kind]
    name = taxonomy().own(rule)
    return Issue(
        passive.start,
        passive.end - passive.start,
        "passive_voice",
        rule,
        f"{message} (“{region.text[passive.start : passive.end]}”)",
        short_message=name.description,
        rule_category=name.category,
    )


def _deterministic(
    parsed: Parsed, options: ProofreadOptions, layers: Layers, result: ProofreadResult
) -> list[tuple[int, Issue]]:
    found: list[tuple[int, Issue]] = []
    english = []
    for n, region in enumerate(parsed.regions):
        if not parsed.english(n):
            found += _spelling(n, region, parsed.languages[n], options, layers, result)
            continue
        english.append(n)
        found += [(n, i) for i in rule_issues(region.text, options.checks)]
    texts = [parsed.regions[n].text for n in english]
    checks, known = list(options.checks), options.known("en")
    for k, issue in harper_issues_of(layers.linter, texts, checks, options.dialect, known):
        found.append((english[k], issue))
    found += [(n, _passive_issue(p, parsed.regions[n])) for n, p in parsed.passives]
    return found


def _spelling(
    n: int,
    region: Region,
    language: str,
    options: ProofreadOptions,
    layers: Layers,
    result: ProofreadResult,
) -> list[tuple[int, Issue]]:
    """Region `n`'s misspellings in `language`, or none (noted) without a dictionary for it."""
    spellers = layers.speller
    speller = spellers(language) if spellers else None
    if spellers is None or speller is None:
        result.unchecked.add(language)
        return []
    result.checked.add(language)
    if "grammar" not in options.checks:
        return []
    loanwords = spellers(_LOANWORDS)
    known = options.known(language)
    found = [(n, i) for i in spelling_issues(speller, region.text, language, known, loanwords)]
    server = layers.grammar(language) if layers.grammar else None
    answer = server(region.text) if server is not None else None
    if answer is not None:  # a rule checker for the language's grammar (Grammalecte's French)
        found += [(n, i) for i in grammalecte_issues(answer, region.text, options.checks, known)]
    elif server is not None:  # there is one, and it could not check: said, never silent
        result.grammar_unchecked.add(language)
    return found


async def proofread_stream(
    text: str, fmt: str, options: ProofreadOptions, layers: Layers, result: ProofreadResult
) -> AsyncIterator[list[Issue]]:
    """Yield grounded issues: the deterministic ones at once, then the model's by region."""
    unknown = sorted(set(options.checks) - set(CHECKS))
    if unknown:
        raise InputError(f"unknown checks {unknown}; expected some of: {', '.join(CHECKS)}")
    parsed = parse(text, fmt, options, layers)
    result.sentences = len(parsed.sentences)
    result.sentence_spans = sentence_spans(parsed)
    found = _deterministic(parsed, options, layers, result)
    if layers.corrector is not None and parsed.passives:
        found = await _with_rewrites(found, parsed, layers.corrector)
    # Spelling flags wait for the language model's verdict; the other rules' issues do not.
    held: list[tuple[int, Issue]] = []
    ready: list[tuple[int, Issue]] = []
    for x in found:
        (held if layers.verifier is not None and judged_by_model(x[1]) else ready).append(x)
    shown = _finish(ready, parsed, text, options, result, [])
    yield list(shown)
    if held:
        assert layers.verifier is not None
        batch = _finish(
            await verify_held(held, parsed.sentences, layers.verifier),
            parsed,
            text,
            options,
            result,
            shown,
        )
        shown += batch
        yield batch
    if layers.corrector is None or "grammar" not in options.checks:
        return
    tasks = [
        asyncio.ensure_future(_correct_region(n, parsed, layers))
        for n in range(len(parsed.regions))
        if _corrected_here(n, parsed, layers) and parsed.in_region(n)
    ]
    try:
        for next_done in asyncio.as_completed(tasks):
            model_found, ungrounded = await next_done
            result.dropped_ungrounded += ungrounded
            batch = _finish(model_found, parsed, text, options, result, shown)
            shown += batch
            yield batch
    finally:
        for task in tasks:
            task.cancel()


def _corrected_here(n: int, parsed: Parsed, layers: Layers) -> bool:
    """Whether the model corrects region `n`: English with ERRANT to type its edits, or a
    language it has prompts for (prompts/proofread_<language>.*)."""
    if layers.corrector is None:
        return False
    if parsed.english(n):
        return layers.annotator is not None
    return layers.corrector.speaks(parsed.languages[n])


async def _correct_region(n: int, parsed: Parsed, layers: Layers) -> tuple[list, int]:
    """The model's issues in region `n`, and how many of its answers were ungrounded."""
    assert layers.corrector is not None
    language = parsed.languages[n]
    # ERRANT types English edits; other languages' are aligned word by word.
    annotator = layers.annotator if parsed.english(n) else WordAligner()
    assert annotator is not None
    sentences = parsed.in_region(n)
    corrections = await layers.corrector.correct([s.text for s in sentences], language)
    found = []
    for sentence, corrected in zip(sentences, corrections.sentences, strict=True):
        issues = await fluency_issues(sentence, corrected, annotator, layers.verifier)
        found += [(n, i) for i in issues]
    return found, corrections.ungrounded


def _finish(
    found: list[tuple[int, Issue]],
    parsed: Parsed,
    text: str,
    options: ProofreadOptions,
    result: ProofreadResult,
    shown: list[Issue],
) -> list[Issue]:
    """Ground, drop model edits over deterministic issues or known words, filter, sort."""
    grounded = _ground(found, parsed, text, result)
    if any(i.from_model for i in grounded):  # only the model's edits are weighed against others
        deterministic = [i for i in shown + grounded if not i.from_model]
        known = options.known_anywhere()
        grounded = [
            i
            for i in grounded
            if not (
                i.from_model
                and (
                    any(overlaps(i, d) and d.category != "passive_voice" for d in deterministic)
                    or (i.rule_category == "TYPOS" and i.text.strip().lower() in known)
                )
            )
        ]
    kept = [i for i in grounded if options.rules.wants(i)]
    return sorted(kept, key=lambda i: (i.offset, i.length))


async def proofread(
    text: str, fmt: str, options: ProofreadOptions, layers: Layers
) -> ProofreadResult:
    """Check `text` of format `fmt`; every issue's offsets point into `text` itself."""
    result = ProofreadResult()
    async for batch in proofread_stream(text, fmt, options, layers, result):
        result.issues += batch
    result.issues.sort(key=lambda i: (i.offset, i.length))
    return result


def _ground(
    found: list[tuple[int, Issue]], parsed: Parsed, text: str, result: ProofreadResult
) -> list[Issue]:
    """Move issues onto input offsets; drop (and count) any whose span is not verbatim there."""
    grounded = []
    for n, issue in found:
        region = parsed.regions[n]
        span = region.to_input(issue.offset, issue.offset + issue.length)
        local = region.text[issue.offset : issue.offset + issue.length]
        if span is None or text[span[0] : span[1]] != local:
            result.dropped_ungrounded += 1
            continue
        sentence = parsed.sentence_at(n, issue.offset)
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


async def _with_rewrites(
    found: list[tuple[int, Issue]], parsed: Parsed, corrector: Corrector
) -> list[tuple[int, Issue]]:
    """Add the model's active rewrite to messages of passives whose agent is named."""

    async def rewrite(n: int, passive: Passive) -> str | None:
        if passive.kind != "by-agent" or not passive.agent:
            return None
        sentence = parsed.sentence_at(n, passive.start)
        return await corrector.rewrite_active(sentence, passive.agent)

    rewrites = await asyncio.gather(*(rewrite(n, p) for n, p in parsed.passives))
    by_start = {(n, p.start): r for (n, p), r in zip(parsed.passives, rewrites, strict=True) if r}
    out = []
    for n, issue in found:
        active = by_start.get((n, issue.offset)) if issue.category == "passive_voice" else None
        out.append(
            (n, replace(issue, message=f"{issue.message} Active: “{active}”") if active else issue)
        )
    return out
