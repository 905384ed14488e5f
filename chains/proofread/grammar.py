"""Asking a model for corrected sentences (and active rewrites), never for free-form remarks."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass

from langchain_core.language_models import BaseLanguageModel
from pydantic import BaseModel, ValidationError

from dragoman.prompts import has_prompt, load_template

from ..calls import CallGate, FaultCheck, ModelCaller
from ..languages import is_english, primary
from ..profile import ModelProfile

_JSON = re.compile(r"\{.*\}", re.S)
BATCH = 8  # sentences per chat request: enough to amortise, few enough to stay grounded
MAX_SENTENCE = 600  # characters; longer "sentences" are lists or code, not prose to correct


class _Corrected(BaseModel):
    id: int
    original: str = ""
    corrected: str


class _Answer(BaseModel):
    sentences: list[_Corrected]


def _squash(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Corrections:
    """Corrected sentences by index (None: no usable answer), and how many were ungrounded."""

    sentences: list[str | None]
    ungrounded: int = 0


class Corrector:
    """Gets corrected sentences and active rewrites from one model."""

    def __init__(
        self,
        model: BaseLanguageModel,
        profile: ModelProfile,
        fault_check: FaultCheck | None = None,
        concurrency: int = 1,
        retries: int = 0,
        gate: CallGate | None = None,
    ) -> None:
        self.profile = profile
        self._call = ModelCaller(
            model, profile.max_tokens_param, fault_check, retries, concurrency, gate
        )

    @property
    def calls(self) -> int:
        """How many model calls were made."""
        return self._call.calls

    @property
    def available(self) -> bool:
        """Whether this model can correct at all (the pseudo backend has no language model)."""
        return self.profile.follows_prompts

    def task(self, language: str) -> str | None:
        """The prompts that correct `language`: English's, or the language's own if it has
        them in this model's style (prompts/proofread_<language>.*); else None."""
        if is_english(language):
            return "proofread"
        task = f"proofread_{primary(language)}"
        return task if has_prompt(task, self.profile.style) else None

    def speaks(self, language: str) -> bool:
        """Whether this model corrects sentences in `language`: it has the prompts, and its
        preset does not leave the language out."""
        chosen = self.profile.proofreads
        wanted = chosen is None or primary(language) in chosen
        return self.available and wanted and self.task(language) is not None

    async def correct(self, sentences: list[str], language: str = "en") -> Corrections:
        """Corrected versions of `sentences` in `language`, in order."""
        out = Corrections([None] * len(sentences))
        task = self.task(language)
        if task is None or not self.speaks(language):
            return out
        # The backend's body fields and the preset's samplers go with every call, as in
        # translation; proofreading stays in its language.
        request = self.profile.request(language, language)
        todo = [i for i, s in enumerate(sentences) if s.strip() and len(s) <= MAX_SENTENCE]
        if self.profile.style == "completion":
            answers = await asyncio.gather(*(self._one(task, sentences[i], request) for i in todo))
            for i, answer in zip(todo, answers, strict=True):
                out.sentences[i] = answer
            return out
        batches = [todo[k : k + BATCH] for k in range(0, len(todo), BATCH)]
        jobs = (self._batch(task, b, sentences, request) for b in batches)
        for batch in await asyncio.gather(*jobs):
            for i, answer, grounded in batch:
                out.sentences[i] = answer if grounded else None
                out.ungrounded += 0 if grounded else 1
        return out

    async def _one(self, task: str, sentence: str, request: dict) -> str | None:
        prompt = load_template(task, "completion").invoke({"sentence": _squash(sentence)})
        answer = await self._call(prompt, 32 + 2 * len(sentence), request)
        return answer.strip().split("\n", 1)[0] or None

    async def _batch(
        self, task: str, batch: list[int], sentences: list[str], request: dict
    ) -> list[tuple[int, str | None, bool]]:
        lines = "\n".join(f"[{n}] {_squash(sentences[i])}" for n, i in enumerate(batch, start=1))
        prompt = load_template(task, "chat").invoke({"lines": lines})
        budget = 64 + sum(2 * len(sentences[i]) + 40 for i in batch)
        raw = await self._call(prompt, budget, request)
        found = _parse(raw)
        result: list[tuple[int, str | None, bool]] = []
        for n, i in enumerate(batch, start=1):
            item = found.get(n)
            if item is None:
                result.append((i, None, True))
            elif item.original and _squash(item.original) != _squash(sentences[i]):
                result.append((i, None, False))  # an answer about a sentence we did not send
            else:
                result.append((i, item.corrected, True))
        return result

    async def rewrite_active(self, sentence: str, agent: str) -> str | None:
        """An active-voice rewrite of `sentence`, if the model gives one that keeps the agent."""
        if not self.available:
            return None
        prompt = load_template("passive", self.profile.style).invoke(
            {"sentence": _squash(sentence)}
        )
        request = self.profile.request("en", "en")
        answer = (await self._call(prompt, 32 + 2 * len(sentence), request)).strip()
        answer = answer.split("\n", 1)[0].strip()
        if not answer or answer == _squash(sentence) or agent.lower() not in answer.lower():
            return None
        return answer if 0.5 <= len(answer) / max(1, len(sentence)) <= 1.5 else None


def _parse(raw: str) -> dict[int, _Corrected]:
    match = _JSON.search(raw)
    if not match:
        return {}
    try:
        answer = _Answer.model_validate(json.loads(match.group()))
    except (ValueError, ValidationError):
        return {}
    return {item.id: item for item in answer.sentences}
