"""Bounded concurrency towards the model: a few requests run, a few wait, the rest get 429."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from .errors import DeadlineExceeded, Overloaded


class Admission:
    """`slots()` requests at the model at once, `queue` more waiting; anything beyond is refused.
    The slots are read at every admission, so they can follow what the model server reports."""

    def __init__(self, slots: Callable[[], int], queue: int) -> None:
        self._slots = slots
        self.queue = queue
        self.running = 0
        self.waiting = 0
        self._free: asyncio.Condition | None = None

    @property
    def slots(self) -> int:
        """Requests that may be at the model at once now."""
        return self._slots()

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
        if self._free is None:
            self._free = asyncio.Condition()
        try:
            async with self._free:
                await self._free.wait_for(lambda: self.running < self.slots)
                self.running += 1
        finally:
            self.waiting -= 1
        try:
            yield
        finally:
            async with self._free:
                self.running -= 1
                self._free.notify()

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
