"""Translating segments: memory, dedupe, batching, validation and the repair ladder.

Ladder per segment, each step a request that differs from the one before, within a token cap
(`ladder_cost` times its first call's budget): the first answer (in a batch for chat models) →
the segment alone (taken out of its batch, or sampled at `retry_temperature`) → each text run
translated separately inside the source's own tags (`fallback`, only where that is not the
first request again) → the source kept (`failed`). Only `ok` and `repaired` answers enter the
translation memory. Answers are streamed and cut off once they loop, run far too long, or copy
a foreign source word for word; placeholders the source never had are dropped (`repaired`).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

from langchain_core.language_models import BaseLanguageModel

from ..calls import CallGate, FaultCheck, ModelCaller, Usage
from ..errors import BackendUnavailable
from ..markup.inline import Node, Text, drop_invented, parse, text_of
from ..markup.segment import Segment
from ..profile import ModelProfile
from .batching import parse_batch, shared_answers, split_batches
from .budget import answer_budget, estimate_tokens
from .commentary import strip_label
from .fallback import per_run, plain
from .job import Job, Memory, TranslateOptions
from .remembering import Remembering
from .requests import CallBuilder, ModelCall
from .result import Outcome, Status
from .validate import (
    Rejected,
    check_answer,
    check_language,
    copying_foreign,
    gone_wrong,
    restore_spacing,
)

# A tokenizer may be a call to a server: counts are taken in a worker thread, off the loop.
TokenCounter = Callable[[str], int]


class Translator:
    """Turns segments into outcomes with one model; counts its model calls."""

    def __init__(
        self,
        model: BaseLanguageModel,
        profile: ModelProfile,
        options: TranslateOptions,
        memory: Memory | None = None,
        fault_check: FaultCheck | None = None,
        progress: Callable[[int], None] | None = None,
        retries: int = 0,
        gate: CallGate | None = None,
        count_tokens: TokenCounter | None = None,
    ) -> None:
        self.model = model
        # The backend's own tokenizer where there is one; else an estimate from the characters.
        self.count_tokens = count_tokens or estimate_tokens
        self._token_counts: dict[str, int] = {}
        self.profile = profile
        self.options = options
        self._calls = CallBuilder(profile, options)
        self.memory = memory
        self._memory = None if memory is None else Remembering(memory, profile.fingerprint, options)
        self._caller = ModelCaller(
            model, profile.max_tokens_param, fault_check, retries, options.concurrency, gate
        )
        # Called with the number of segments just finished (from memory or a model).
        self.progress = progress

    @property
    def calls(self) -> int:
        """How many model calls this translator made."""
        return self._caller.calls

    @property
    def examples_shown(self) -> int:
        """How many segments the model was shown remembered examples for."""
        return len(self._calls.examples)

    @property
    def usage(self) -> Usage:
        """Calls and the token counts the backend reported, prompt-cache hits among them."""
        return self._caller.usage

    async def translate(self, segments: list[Segment], job: Job) -> list[Outcome]:
        """Translate segments (identical texts once), returning one outcome per segment."""
        unique: dict[str, Segment] = {}
        for segment in segments:
            unique.setdefault(segment.text, segment)
        outcomes = await self._remembered(unique, job)
        self.report(sum(1 for s in segments if s.text in outcomes))
        pending = [s for text, s in unique.items() if text not in outcomes]
        # Counted first, all together: requests then reach the model in the document's order.
        await self._count([s.text for s in pending])
        await self._recall([s.text for s in pending], job)
        if self.profile.style == "chat":
            batches = list(self._split(pending))
            results = await asyncio.gather(*(self._batch(b, job) for b in batches))
            for batch_outcomes in results:
                outcomes.update(batch_outcomes)
        else:
            singles = await asyncio.gather(*(self._ladder(s, job, None) for s in pending))
            outcomes.update({s.text: o for s, o in zip(pending, singles, strict=True)})
        repeats = Counter(s.text for s in segments)
        self.report(sum(repeats[s.text] - 1 for s in pending))
        return [outcomes[s.text] for s in segments]

    def report(self, count: int) -> None:
        """Tell the progress callback that `count` more segments are done."""
        if self.progress is not None and count:
            self.progress(count)

    @property
    def can_sample(self) -> bool:
        """Whether the model takes a per-call temperature, so that answers can be sampled."""
        return self.profile.max_tokens_param is not None

    async def sample(self, segment: Segment, job: Job) -> list[Node] | None:
        """One translation of `segment` sampled at the retry temperature, past the memory (an
        alternative, not the translation); None when the answer is rejected."""
        options = {"temperature": self.options.retry_temperature}
        outcome, _ = self._try(segment, await self._single(segment.text, job, **options), job, "ok")
        return None if outcome is None else outcome.nodes

    async def rehearse(self, segments: list[Segment], job: Job) -> list[ModelCall]:
        """Send the calls a first pass would send, one after another, their answers unused and
        nothing remembered: a dry run, through a model that records its requests."""
        unique = {s.text: s for s in segments}
        done = await self._remembered(unique, job)
        pending = [s for text, s in unique.items() if text not in done]
        await self._count([s.text for s in pending])
        await self._recall([s.text for s in pending], job)
        groups = self._split(pending) if self.profile.style == "chat" else [[s] for s in pending]
        calls = []
        for group in groups:
            texts = [s.text for s in group]
            call = await (
                self._batch_call(texts, job) if len(texts) > 1 else self._single_call(texts[0], job)
            )
            await self._send(call, job)
            calls.append(call)
        return calls

    # --- memory -----------------------------------------------------------------------------
    # The memory is a database: it is read and written in worker threads, off the event loop.
    async def _remembered(self, unique: dict[str, Segment], job: Job) -> dict[str, Outcome]:
        if self._memory is None or not unique:
            return {}
        return await asyncio.to_thread(self._memory.finished, unique, job)

    async def _remember(self, outcomes: dict[str, Outcome], job: Job) -> None:
        if self._memory is not None:
            await asyncio.to_thread(self._memory.keep, outcomes, job)

    async def _recall(self, texts: list[str], job: Job) -> None:
        if self._memory is not None:
            found = await asyncio.to_thread(self._memory.examples, texts, job)
            self._calls.examples.update(found)

    # --- model calls ------------------------------------------------------------------------
    async def budget(self, text: str) -> int:
        """The token cap of a first answer to `text`: about twice its tokens, plus its tags."""
        await self._count([text])
        return answer_budget(self._token_counts[text], text, self.profile.context_window // 2)

    async def _count(self, texts: list[str]) -> None:
        """Count the tokens of texts not yet counted, in a worker thread (returns at once, not
        yielding to other tasks, when every text has been counted)."""
        todo = [t for t in dict.fromkeys(texts) if t not in self._token_counts]
        if todo:
            counts = await asyncio.to_thread(lambda: [self.count_tokens(t) for t in todo])
            self._token_counts.update(zip(todo, counts, strict=True))

    async def _single_call(self, text: str, job: Job) -> ModelCall:
        return self._calls.single(text, job, await self.budget(text))

    async def _batch_call(self, texts: list[str], job: Job) -> ModelCall:
        return self._calls.batch(texts, job, [await self.budget(t) for t in texts])

    async def _send(self, call: ModelCall, job: Job, **options: Any) -> str:
        stop = partial(gone_wrong, source=call.source, job=job)
        return await self._caller(call.prompt, call.budget, call.request, stop_when=stop, **options)

    # --- batches (chat models) --------------------------------------------------------------
    def _split(self, segments: list[Segment]) -> list[list[Segment]]:
        limits = self.options
        return list(split_batches(segments, limits.batch_segments, limits.batch_chars))

    async def _batch(self, batch: list[Segment], job: Job) -> dict[str, Outcome]:
        if len(batch) == 1:
            return {batch[0].text: await self._ladder(batch[0], job, None)}
        texts = [s.text for s in batch]
        try:
            call = await self._batch_call(texts, job)
            answer = await self._send(call, job)
        except BackendUnavailable as exc:
            self.report(len(batch))
            return {s.text: Outcome(None, "failed", exc.message, exc) for s in batch}
        lines = parse_batch(answer, len(batch), self.profile.schema_kwargs is not None)
        if lines is None:  # ids or count off: split the batch and try the halves
            half = len(batch) // 2
            left, right = await asyncio.gather(
                self._batch(batch[:half], job), self._batch(batch[half:], job)
            )
            return {**left, **right}
        # One answer for two different sources is an invented phrase: ask for each alone.
        shared = shared_answers(lines, dict(enumerate(texts, start=1)))
        results = await asyncio.gather(
            *(
                self._ladder(s, job, None if n in shared else lines[n])
                for n, s in enumerate(batch, start=1)
            )
        )
        return {s.text: o for s, o in zip(batch, results, strict=True)}

    # --- the ladder -------------------------------------------------------------------------
    async def _ladder(self, segment: Segment, job: Job, first: str | None) -> Outcome:
        # Each segment is stored as soon as it is done: a run killed midway loses nothing.
        outcome = await self._climb(segment, job, first)
        await self._remember({segment.text: outcome}, job)
        self.report(1)
        return outcome

    async def _climb(self, segment: Segment, job: Job, first: str | None) -> Outcome:
        budget = await self.budget(segment.text)
        cap = self.options.ladder_cost * budget
        retry = self._retry_options(from_batch=first is not None)
        try:
            if first is None:
                first = await self._single(segment.text, job)
            outcome, reason = self._try(segment, first, job, "ok")
            spent = budget
            if outcome is None and retry is not None and spent + budget <= cap:
                spent += budget
                answer = await self._single(segment.text, job, **retry)
                outcome, reason = self._try(segment, answer, job, "repaired")
            return outcome or await self._per_run(segment, job, reason, cap - spent)
        except BackendUnavailable as exc:
            return Outcome(None, "failed", exc.message, exc)

    def _retry_options(self, from_batch: bool) -> dict[str, Any] | None:
        """What makes a retry a different request: out of its batch, or sampled; None if
        nothing would differ (the same prompt at temperature 0 gives the same answer)."""
        if from_batch:
            return {}
        if self.profile.max_tokens_param is None:  # the model takes no per-call temperature
            return None
        return {"temperature": self.options.retry_temperature}

    async def _single(self, text: str, job: Job, **options: Any) -> str:
        return await self._send(await self._single_call(text, job), job, **options)

    def _try(
        self, segment: Segment, answer: str, job: Job, status: Status
    ) -> tuple[Outcome | None, str]:
        try:
            return self._accept(segment, answer, job, status), ""
        except Rejected as exc:
            return None, exc.reason

    def _accept(self, segment: Segment, answer: str, job: Job, status: Status) -> Outcome:
        if copying_foreign(answer, segment.text, job):  # cut off while copying its source
            raise Rejected("left untranslated")
        answer, labelled = strip_label(answer, segment.text)
        answer, invented = drop_invented(answer, segment.nodes)
        nodes = check_answer(segment.nodes, segment.text, answer)
        if self.profile.check_language:
            check_language(text_of(segment.nodes), text_of(nodes), job)
        # Compare spacing with the source as the model saw it: edge whitespace is restored anyway.
        seen = parse(segment.text, segment.nodes)
        nodes, spaced = restore_spacing(seen, nodes, job.target)
        if text_of(nodes).strip() == text_of(segment.nodes).strip():
            return Outcome(nodes, "kept", "answered with the source unchanged")
        mended = spaced or invented or labelled
        return Outcome(nodes, "repaired" if mended and status == "ok" else status)

    async def _per_run(self, segment: Segment, job: Job, reason: str, tokens: float) -> Outcome:
        async def translate_run(run: str) -> str:
            answer, _ = drop_invented(await self._single(run, job), [])
            answer = plain(check_answer([Text(run)], run, answer))
            if self.profile.check_language:
                check_language(run, answer, job)
            return answer

        return await per_run(segment, reason, tokens, self.budget, translate_run)
