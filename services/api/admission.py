"""Bounded concurrency towards the model: a few requests run, a few wait, the rest get 429."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from dragoman.chains import CallGate

from ..errors import DeadlineExceeded, Overloaded


class Place:
    """One request's place in line: counted as waiting until it is admitted or leaves, once."""

    def __init__(self, admission: Admission) -> None:
        self._admission = admission
        self.waiting = True

    def leave(self) -> None:
        """Stop counting as waiting (admitted, cancelled, or never started); only once."""
        if self.waiting:
            self.waiting = False
            self._admission.waiting -= 1


class Admission:
    """`slots()` requests at the model at once, `queue` more waiting; anything beyond is refused.
    The slots are read at every admission, so they can follow what the model server reports."""

    def __init__(self, slots: Callable[[], int], queue: int) -> None:
        self._gate = CallGate(slots)
        self.queue = queue
        self.waiting = 0

    @property
    def slots(self) -> int:
        """Requests that may be at the model at once now."""
        return max(1, self._gate.limit())

    @property
    def running(self) -> int:
        """Requests at the model now."""
        return self._gate.running

    def reserve(self) -> Place:
        """Take a place in line now, or raise Overloaded; `admitted(place)` waits for a slot.
        A place taken and not yet admitted counts (a stream's is taken before its body runs):
        at most `slots` + `queue` requests hold one."""
        if self.running + self.waiting >= self.slots + self.queue:
            raise Overloaded(
                f"busy: {self.running} requests at the model, {self.waiting} waiting; retry soon"
            )
        self.waiting += 1
        return Place(self)

    @asynccontextmanager
    async def admitted(self, place: Place) -> AsyncIterator[None]:
        """Hold a slot at the model for a reserved place; the place is given up however this
        ends (admitted, or cancelled while waiting in line)."""
        try:
            async with self._gate.slot():
                place.leave()
                yield
        finally:
            place.leave()

    @asynccontextmanager
    async def slot(self, deadline: float) -> AsyncIterator[None]:
        """Reserve, wait for a slot and run under a deadline."""
        async with self.admitted(self.reserve()):
            try:
                async with asyncio.timeout(deadline):
                    yield
            except TimeoutError:
                raise DeadlineExceeded(f"the request took longer than {deadline:g} s") from None

    def stream(self, lines: Callable[[], AsyncIterator[str]]) -> StreamingResponse:
        """An NDJSON answer whose `lines()` run once admitted. The place is taken now (a full
        queue is a 429, not a broken stream) and given back however the response ends, its
        body never started included (the client left first, or sending the headers failed)."""
        place = self.reserve()

        async def admitted_lines() -> AsyncIterator[str]:
            async with self.admitted(place):
                async for line in lines():
                    yield line

        return _LeavingStream(place, admitted_lines(), media_type="application/x-ndjson")


class _LeavingStream(StreamingResponse):
    """A streamed answer that gives back its place in line when it ends, however it ends."""

    def __init__(self, place: Place, content: AsyncIterator[str], **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self._place = place

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._place.leave()
