"""The one way a chain calls a model: token cap, concurrency gate, retries, backend faults typed,
and the token counts the backend reports."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseLanguageModel
from langchain_core.messages import AIMessageChunk
from langchain_core.prompt_values import PromptValue

from .errors import BackendUnavailable

FaultCheck = Callable[[BaseException], BackendUnavailable | None]


def fill_template(template: Any, values: Mapping[str, Any]) -> Any:
    """Copy a JSON-like template, replacing every string "$name" with values[name]."""
    if isinstance(template, Mapping):
        return {key: fill_template(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [fill_template(value, values) for value in template]
    if isinstance(template, str) and template.startswith("$") and template[1:] in values:
        return values[template[1:]]
    return template


def merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """`base` updated with `extra`, nested mappings merged rather than replaced."""
    out = dict(base)
    for key, value in extra.items():
        both = isinstance(out.get(key), Mapping) and isinstance(value, Mapping)
        out[key] = merge(out[key], value) if both else value
    return out


@dataclass
class Usage:
    """Model calls and the tokens the backend reported for them (0 where it reports none)."""

    calls: int = 0
    prompt_tokens: int = 0
    cached_tokens: int = 0  # prompt tokens the server took from its cache (llama-server slots)
    completion_tokens: int = 0
    stopped_early: int = 0  # answers cut off once they looped or ran far too long

    def add(self, usage: Mapping[str, Any]) -> None:
        """Count the token usage LangChain reports on an answer (`usage_metadata`)."""
        self.prompt_tokens += usage.get("input_tokens", 0)
        self.completion_tokens += usage.get("output_tokens", 0)
        self.cached_tokens += (usage.get("input_token_details") or {}).get("cache_read") or 0


class CallGate:
    """At most `limit()` calls in flight per event loop; the limit is read at every call, so it
    can follow what a server reports (llama-server's slots) once that is known."""

    def __init__(self, limit: Callable[[], int]) -> None:
        self.limit = limit
        # A condition belongs to the loop it was first used on; one gate may serve several
        # loops (worker threads run their own), and a dead loop's state must not be reused.
        self._states: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopState] = (
            weakref.WeakKeyDictionary()
        )

    def _state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        state = self._states.get(loop)
        if state is None:
            state = self._states[loop] = _LoopState(asyncio.Condition())
        return state

    @property
    def running(self) -> int:
        """Places held now on the running event loop (0 outside one)."""
        try:
            state = self._states.get(asyncio.get_running_loop())
        except RuntimeError:
            return sum(s.running for s in self._states.values())
        return state.running if state else 0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the gate's places while a call is in flight."""
        state = self._state()
        async with state.free:
            await state.free.wait_for(lambda: state.running < max(1, self.limit()))
            state.running += 1
        try:
            yield
        finally:
            async with state.free:
                state.running -= 1
                state.free.notify()


@dataclass
class _LoopState:
    free: asyncio.Condition
    running: int = 0


class ModelCaller:
    """Calls one model through a gate (its own, of `concurrency` places, unless one is shared),
    counting calls and tokens; faults the checker recognises are retried with backoff, then
    raised as BackendUnavailable."""

    def __init__(
        self,
        model: BaseLanguageModel,
        max_tokens_param: str | None,
        fault_check: FaultCheck | None = None,
        retries: int = 0,
        concurrency: int = 1,
        gate: CallGate | None = None,
        backoff: float = 0.5,
    ) -> None:
        self.model = model
        self.max_tokens_param = max_tokens_param
        self.fault_check = fault_check
        self.retries = retries
        self.gate = gate or CallGate(lambda: concurrency)
        self.backoff = backoff
        self.usage = Usage()

    @property
    def calls(self) -> int:
        """How many calls were sent."""
        return self.usage.calls

    async def __call__(
        self,
        prompt: PromptValue,
        max_tokens: int,
        request: Mapping[str, Any] | None = None,
        stop_when: Callable[[str], bool] | None = None,
        **options: Any,
    ) -> str:
        """Send `prompt`, capping the answer at `max_tokens` where the model takes a cap.
        `request` keywords (from the backend's data) always go; sampling `options` only to models
        that take per-call options. The answer streams in, and is cut off (closing the request)
        as soon as `stop_when` says it has gone wrong."""
        kwargs = dict(request or {})
        if self.max_tokens_param:
            kwargs.update(options)
            kwargs[self.max_tokens_param] = max_tokens
        for attempt in range(self.retries + 1):
            try:
                async with self.gate.slot():
                    self.usage.calls += 1
                    return await self._stream(prompt, kwargs, stop_when)
            except Exception as exc:
                fault = self.fault_check(exc) if self.fault_check else None
                if fault is None:
                    raise
                if attempt == self.retries:
                    raise fault from exc
            # A restarting or overloaded backend often answers a moment later.
            await asyncio.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")

    async def _stream(
        self, prompt: PromptValue, kwargs: dict[str, Any], stop_when: Callable[[str], bool] | None
    ) -> str:
        text = ""
        chunks = self.model.astream(prompt, **kwargs)
        try:
            async for chunk in chunks:
                if isinstance(chunk, AIMessageChunk):
                    if chunk.usage_metadata:
                        self.usage.add(chunk.usage_metadata)
                    text += chunk.text
                else:
                    text += str(chunk)
                if stop_when is not None and stop_when(text):
                    self.usage.stopped_early += 1
                    break
        finally:
            close = getattr(chunks, "aclose", None)
            if close is not None:  # stop reading: the server ends the request, freeing its slot
                await close()
        return text
