"""4b. Grammar checking side by side: Harper alone, the model alone, and both combined (issue #14).

Every line is checked on its own with `proofread` (checks grammar and style, passive voice off),
exactly as a client's text would be. The model-involving rows use the first lines of each set
(the model takes about a third of a second a sentence on two shared cores); Harper alone is also
scored on every line. The model alone and the combined checker see the same corrections: a
corrector that remembers its answers is shared by both, so the rows differ only in the merge.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from dragoman.chains.proofread import Layers, ProofreadOptions, proofread
from dragoman.services.nlp import errant_annotator, harper_linter
from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from tests.llama_server import SMOLLM2, Missing, llama_server

from . import gec
from .common import peak_memory
from .scoring import sentence_scores, span_scores

OPTIONS = ProofreadOptions(checks=("grammar", "style"))
SAMPLE = {"jfleg": 150, "span": 200}  # first lines of each set for the model-involving rows
# SmolLM2 on llama-server takes about a second a line: fewer lines, a shorter document to time.
SERVER_SAMPLE = {"jfleg": 30, "span": 30}
SETS: dict[str, tuple[str, Callable[[], list[gec.Line]]]] = {
    "JFLEG dev": ("jfleg", lambda: gec.jfleg("dev")),
    "JFLEG test": ("jfleg", lambda: gec.jfleg("test")),
    "CWEB-G": ("span", lambda: gec.cweb("G")),
    "CWEB-S": ("span", lambda: gec.cweb("S")),
    "GMEG wiki": ("span", gec.gmeg_wiki),
}
TIMING_FROM = 1000  # CWEB-G lines from here, five to a paragraph, are the document to time


class NoLints:
    """A Harper that finds nothing, so the model's edits have no deterministic issue to yield to."""

    def organized_lints(self, text: str, *, language: Any = "plaintext") -> dict[str, list[Any]]:
        return {}


class Remembering:
    """A corrector that asks the model once per list of sentences and remembers the answer."""

    def __init__(self, corrector: Any) -> None:
        self._corrector = corrector
        self._answers: dict[tuple[str, ...], Any] = {}

    async def correct(self, sentences: list[str], language: str = "en") -> Any:
        key = (language, *sentences)
        if key not in self._answers:
            self._answers[key] = await self._corrector.correct(sentences, language)
        return self._answers[key]

    def speaks(self, language: str) -> bool:
        return bool(self._corrector.speaks(language))

    async def rewrite_active(self, sentence: str, agent: str) -> str | None:
        return await self._corrector.rewrite_active(sentence, agent)


@dataclass
class Checked:
    """Each text's issue spans, and what the checker dropped or got wrong about offsets."""

    spans: list[list[tuple[int, int]]] = field(default_factory=list)
    dropped_ungrounded: int = 0
    ungrounded_shown: int = 0
    seconds: float = 0.0


async def _check(texts: list[str], layers: Layers, model_only: bool, at_once: int) -> Checked:
    out = Checked(spans=[[] for _ in texts])
    gate = asyncio.Semaphore(at_once)

    async def one(n: int) -> None:
        async with gate:
            result = await proofread(texts[n], "text", OPTIONS, layers)
        out.dropped_ungrounded += result.dropped_ungrounded
        for issue in result.issues:
            end = issue.offset + issue.length
            if (
                not (0 <= issue.offset < end <= len(texts[n]))
                or texts[n][issue.offset : end] != issue.text
            ):
                out.ungrounded_shown += 1
            if issue.from_model or not model_only:
                out.spans[n].append((issue.offset, end))

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(len(texts))))
    out.seconds = round(time.perf_counter() - started, 1)
    return out


def check(texts: list[str], layers: Layers, model_only: bool = False, at_once: int = 1) -> Checked:
    """Proofread each text on its own; keep only the model's issues if `model_only`."""
    return asyncio.run(_check(texts, layers, model_only, at_once))


def _texts(kind: str, lines: list[gec.Line]) -> list[str]:
    """What is checked: the sources, and for JFLEG also the first reference (for false alarms)."""
    return [x.source for x in lines] + (
        [x.corrections[0] for x in lines] if kind == "jfleg" else []
    )


def _score(kind: str, lines: list[gec.Line], checked: Checked) -> dict[str, Any]:
    n = len(lines)
    if kind == "jfleg":
        scores = sentence_scores(lines, checked.spans[:n], checked.spans[n:])
    else:
        scores = span_scores(lines, checked.spans)
    return {
        **scores,
        "dropped_ungrounded": checked.dropped_ungrounded,
        "ungrounded_shown": checked.ungrounded_shown,
        "seconds": checked.seconds,
    }


def _slice(kind: str, checked: Checked, total: int, n: int) -> Checked:
    """The first `n` lines' part of a check of all `total` lines (JFLEG: sources, then refs)."""
    spans = checked.spans[:n] + (checked.spans[total : total + n] if kind == "jfleg" else [])
    return Checked(spans)


def _timing_text(lines: int) -> str:
    sources = [x.source for x in gec.cweb("G")[TIMING_FROM : TIMING_FROM + lines]]
    return "\n\n".join(" ".join(sources[k : k + 5]) for k in range(0, len(sources), 5))


def _speed(
    name: str, layers: Layers, pids: list[int], lines: int = 80, model_only: bool = False
) -> dict[str, Any]:
    """Seconds per 1,000 words on one multi-paragraph document, and peak memory meanwhile."""
    text = _timing_text(lines)
    with peak_memory(pids) as peak:
        checked = check([text], layers, model_only)
    return {
        "checker": name,
        "words": len(text.split()),
        "s_per_1000_words": round(1000 * checked.seconds / len(text.split()), 2),
        "peak_mb": peak[0][0],
        "peak_pss_mb": peak[0][1],
        "server_peak_mb": peak[1][0] if len(peak) > 1 else None,
        "server_peak_pss_mb": peak[1][1] if len(peak) > 1 else None,
        "dropped_ungrounded": checked.dropped_ungrounded,
        "ungrounded_shown": checked.ungrounded_shown,
    }


def _harper(runtime: Runtime, data: dict[str, list[gec.Line]]) -> tuple[list[dict], dict]:
    layers = Layers(runtime.nlp(), harper_linter("en-US"), errant_annotator(), None)
    every, sample = {}, {}
    for name, (kind, _) in SETS.items():
        lines, n = data[name], SAMPLE[kind]
        checked = check(_texts(kind, lines), layers)
        every[name] = _score(kind, lines, checked)
        sample[name] = _score(kind, lines[:n], _slice(kind, checked, len(lines), n))
    rows = [
        {"checker": "Harper alone", "model": "", "lines": "all", "sets": every},
        {"checker": "Harper alone", "model": "", "lines": "sample", "sets": sample},
    ]
    return rows, _speed("Harper alone", layers, [psutil.Process().pid])


def _model_rows(
    label: str, runtime: Runtime, data: dict, pids: list[int], sample: dict[str, int], timed: int
) -> tuple[list, list]:
    """The model alone and combined with Harper, on the sample of each set, and their speed; with
    the preset's language-model check as shipped, and (where it has one) without it too."""
    nlp, annotator, at_once = (
        runtime.nlp(),
        errant_annotator(),
        max(1, runtime.models.slots("proofread")),
    )
    shared, verifier = Remembering(runtime.corrector()), runtime.verifier()
    variants = [("", verifier)] + ([(", unchecked", None)] if verifier else [])
    rows = []
    for suffix, check_with in variants:
        alone = Layers(nlp, NoLints(), annotator, shared, check_with)  # type: ignore[arg-type]
        both = Layers(nlp, harper_linter("en-US"), annotator, shared, check_with)  # type: ignore[arg-type]
        for checker, layers, model_only in (
            ("model alone", alone, True),
            ("combined", both, False),
        ):
            sets = {}
            for name, (kind, _) in SETS.items():
                lines = data[name][: sample[kind]]
                sets[name] = _score(
                    kind, lines, check(_texts(kind, lines), layers, model_only, at_once)
                )
            rows.append(
                {"checker": checker + suffix, "model": label, "lines": "sample", "sets": sets}
            )
    # Nothing remembered: each timed row asks the model afresh.
    fresh = Layers(nlp, NoLints(), annotator, runtime.corrector(), verifier)  # type: ignore[arg-type]
    speed = [
        _speed(f"model alone ({label})", fresh, pids, timed, model_only=True),
        _speed(f"combined ({label})", runtime.layers("en-US"), pids, timed),
    ]
    if verifier:
        unchecked = Layers(nlp, harper_linter("en-US"), annotator, runtime.corrector())
        speed.append(_speed(f"combined, unchecked ({label})", unchecked, pids, timed))
    return rows, speed


def _smollm2(data: dict, folder: Path) -> tuple[list, list]:
    with llama_server(SMOLLM2, folder) as server:
        runtime = Runtime(
            Settings(
                backend="llama-server",
                base_url=server.base_url,
                proofread_preset="smollm2-135m",
                data_dir=folder,
                memory=False,
                warm_up=False,
            )  # fmt: skip
        )
        pids = [psutil.Process().pid, server.process.pid]
        return _model_rows("SmolLM2 135M, llama-server", runtime, data, pids, SERVER_SAMPLE, 20)


def run(runtime: Runtime, server_model: bool = True) -> dict[str, Any]:
    """Every set through each checker; SmolLM2 on llama-server too when it is built."""
    data = {name: loader() for name, (_, loader) in SETS.items()}
    annotator = errant_annotator()
    for name, (kind, _) in SETS.items():
        if kind == "span":
            data[name] = [gec.gold_spans(annotator, line) for line in data[name]]
    rows, harper_speed = _harper(runtime, data)
    speed = [harper_speed]
    me = [psutil.Process().pid]
    more, more_speed = _model_rows("Gemma 3 270M, embedded", runtime, data, me, SAMPLE, 80)
    rows += more
    speed += more_speed
    skipped = ""
    if server_model:
        with tempfile.TemporaryDirectory() as folder:
            try:
                more, more_speed = _smollm2(data, Path(folder))
                rows += more
                speed += more_speed
            except Missing as exc:
                skipped = str(exc)
    return {
        "sample": SAMPLE,
        "server_sample": SERVER_SAMPLE,
        "lines": {name: len(lines) for name, lines in data.items()},
        "rows": rows,
        "speed": speed,
        "skipped": skipped,
    }
