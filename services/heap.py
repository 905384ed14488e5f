"""The C heap of a long-running service: glibc keeps what threads freed unless told otherwise.

Every thread that allocates under contention gets an arena of its own, and freed memory stays in
it: a service whose thread pool runs spaCy, Harper and llama.cpp in turn grows by each arena's
high-water mark. Fewer arenas, and handing free pages back after big work, keep the resident
size near what is live. Elsewhere than glibc both are no-ops.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Callable
from functools import cache
from typing import Any

import anyio

_M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)


@cache
def _glibc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def limit_arenas(arenas: int) -> bool:
    """Cap glibc's malloc arenas (0 leaves its default); True when the cap took effect."""
    libc = _glibc()
    return bool(arenas and libc is not None and libc.mallopt(_M_ARENA_MAX, arenas) == 1)


def release_free_memory() -> bool:
    """Give the pages malloc holds free back to the system; True when any were released."""
    libc = _glibc()
    return bool(libc is not None and libc.malloc_trim(0))


def freeze_loaded() -> int:
    """Exempt everything alive now from garbage collection; how many objects are exempt."""
    # A full collection walks every tracked object holding the GIL, so the models, parsers and
    # dictionaries loaded at start (hundreds of thousands of objects that live as long as the
    # process) stopped the event loop for 0.1-0.3 s each time; frozen, they are not walked.
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class ReleaseWhenIdle:
    """ASGI middleware: when the last POST in flight ends, however it ends, free heap pages go
    back to the system (in a worker thread: trimming a large heap takes milliseconds)."""

    def __init__(self, app: Any, release: Callable[[], Any] = release_free_memory) -> None:
        self.app = app
        self.release = release
        self.in_flight = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            if self.in_flight == 0:
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(self.release)
