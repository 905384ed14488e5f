"""Building a translation model call: prompt (with the memory's examples), answer budget and the
request's keywords (the backend's body fields, a batch's JSON schema). The one builder behind
the real run and the dry run, so that a dry run prints what the real run sends."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from langchain_core.prompt_values import PromptValue

from ..calls import merge
from ..profile import ModelProfile
from .batching import batch_request
from .fewshot import Example
from .job import Job, TranslateOptions
from .prompting import memory_note, single_prompt

# Room per line of a batch answer for its "[n] " id.
_BATCH_LINE_TOKENS = 4


@dataclass(frozen=True)
class ModelCall:
    """One request: its prompt, the answer's token cap, the call's keywords, and the source
    text its answer translates (what a streamed answer is checked against)."""

    prompt: PromptValue
    budget: int
    request: dict[str, Any]
    source: str


@dataclass
class CallBuilder:
    """Builds a translator's model calls; holds each segment's examples from the memory."""

    profile: ModelProfile
    options: TranslateOptions
    examples: dict[str, list[Example]] = field(default_factory=dict)

    def single(self, text: str, job: Job, budget: int) -> ModelCall:
        """The call translating one segment."""
        prompt = single_prompt(self.profile, text, *job.prompt_args, self.examples.get(text, ()))
        return ModelCall(prompt, budget, self._request(job, {}), text)

    def batch(self, texts: list[str], job: Job, budgets: list[int]) -> ModelCall:
        """The call translating several segments as numbered lines, with the best of their
        examples (at most as many as one segment gets) in the notes."""
        pooled = {e.source: e for text in texts for e in self.examples.get(text, ())}
        best = sorted(pooled.values(), key=lambda e: e.score)[-self.options.memory_examples :]
        note = job.note + memory_note(best, job.source, job.target) if best else job.note
        prompt, constraint = batch_request(self.profile, texts, job.source, job.target, note)
        budget = sum(budgets) + _BATCH_LINE_TOKENS * len(texts)
        return ModelCall(prompt, budget, self._request(job, constraint), "\n".join(texts))

    def _request(self, job: Job, constraint: dict[str, Any]) -> dict[str, Any]:
        return merge(self.profile.request(job.source, job.target), constraint)
