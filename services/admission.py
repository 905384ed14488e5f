"""Bounded concurrency towards the model: a few requests run, a few wait, the rest get 429."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from dragoman.chains import CallGate

from .errors import DeadlineExceeded, Overloaded


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

    def reserve(self) -> None:
        """Take a place in line now, or raise Overloaded; call `admitted()` to wait for a slot."""
        if self.running >= self.slots and self.waiting >= self.queue:
            raise Overloaded(
                f"busy: {self.running} requests at the model, {self.waiting} waiting; retry soon"
            )
        self.waiting += 1

    @asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        """Hold a slot at the model (after `reserve()`)."""
        admitted = False
        try:
            async with self._gate.slot():
                self.waiting -= 1
                admitted = True
                yield
        finally:
            if not admitted:  # cancelled while waiting in line
                self.waiting -= 1

    @asynccontextmanager
    async def slot(self, deadline: float) -> AsyncIterator[None]:
        """Reserve, wait for a slot and run under a deadline."""
        self.reserve()
        async with self.admitted():
            try:
                async with asyncio.timeout(deadline):
                    yield
            except TimeoutError:
                raise DeadlineExceeded(f"the request took longer than {deadline:g} s") from None
