"""The one way a chain calls a model: token cap, concurrency gate, retries, backend faults typed."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Any

from langchain_core.language_models import BaseLanguageModel
from langchain_core.messages import BaseMessage
from langchain_core.prompt_values import PromptValue

from .errors import BackendUnavailable

FaultCheck = Callable[[BaseException], BackendUnavailable | None]


class ModelCaller:
    """Calls one model with at most `concurrency` calls in flight per event loop, counting calls;
    faults the checker recognises are retried with backoff, then raised as BackendUnavailable."""

    def __init__(
        self,
        model: BaseLanguageModel,
        max_tokens_param: str | None,
        fault_check: FaultCheck | None = None,
        retries: int = 0,
        concurrency: int = 1,
        backoff: float = 0.5,
    ) -> None:
        self.model = model
        self.max_tokens_param = max_tokens_param
        self.fault_check = fault_check
        self.retries = retries
        self.concurrency = concurrency
        self.backoff = backoff
        self.calls = 0
        # A semaphore belongs to the loop it was first used on; one caller may serve several
        # loops (worker threads run their own), and a dead loop's gate must not be reused.
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def _gate(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(self.concurrency)
        return gate

    async def __call__(self, prompt: PromptValue, max_tokens: int, **extra: Any) -> str:
        """Send `prompt`, capping the answer at `max_tokens` where the model takes a cap."""
        kwargs = dict(extra) if self.max_tokens_param else {}
        if self.max_tokens_param:
            kwargs[self.max_tokens_param] = max_tokens
        model = self.model.bind(**kwargs) if kwargs else self.model
        for attempt in range(self.retries + 1):
            try:
                async with self._gate():
                    self.calls += 1
                    result = await model.ainvoke(prompt)
                return str(result.content) if isinstance(result, BaseMessage) else str(result)
            except Exception as exc:
                fault = self.fault_check(exc) if self.fault_check else None
                if fault is None:
                    raise
                if attempt == self.retries:
                    raise fault from exc
            # A restarting or overloaded backend often answers a moment later.
            await asyncio.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")
