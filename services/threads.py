"""Work that must run in a worker thread, read on the event loop as it comes."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

Producer = Callable[[Callable[[Any], None], threading.Event], None]


@dataclass(frozen=True)
class _Failure:
    error: Exception


async def relay(produce: Producer) -> AsyncIterator[Any]:
    """Run `produce(emit, stopped)` in a worker thread and yield each item it emits at once.
    Its exception is raised here; a reader that stops early sets `stopped`, and waits for the
    producer to end, so nothing it holds (a model's lock) outlives the reading."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue()
    stopped = threading.Event()
    done = object()

    def emit(item: Any) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, item)

    def work() -> None:
        try:
            produce(emit, stopped)
        except Exception as exc:  # handed to the reader, who raises it
            emit(_Failure(exc))
        finally:
            emit(done)

    worker = loop.run_in_executor(None, work)
    try:
        while (item := await queue.get()) is not done:
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        stopped.set()
        await worker
