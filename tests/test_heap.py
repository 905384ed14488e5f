"""The heap goes back to the system when the service falls idle, whatever ended the last request."""

from __future__ import annotations

import asyncio
import ctypes.util
import gc
import platform
import weakref

import httpx
import pytest

from dragoman.services.heap import ReleaseWhenIdle, freeze_loaded, limit_arenas, release_free_memory


def held_app(gate: asyncio.Event, finished: list[str]):
    """An ASGI app whose POST /hold waits for `gate`, and whose POST /boom raises."""

    async def app(scope, receive, send) -> None:
        if scope["path"] == "/boom":
            raise RuntimeError("boom")
        if scope["path"] == "/hold":
            await gate.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        finished.append(scope["path"])

    return app


async def _overlapping() -> tuple[list[str], list[str]]:
    gate, finished, released = asyncio.Event(), [], []
    app = ReleaseWhenIdle(held_app(gate, finished), release=lambda: released.append(finished[:]))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        held = asyncio.create_task(client.post("/hold"))
        for _ in range(1000):  # until /hold is inside the app, waiting at its gate
            if app.in_flight:
                break
            await asyncio.sleep(0)
        assert app.in_flight == 1
        await client.post("/quick")  # ends while /hold is still in flight: not idle yet
        assert released == []
        await client.get("/quick")  # reads never trigger a release
        gate.set()
        await held
    return finished, [entry for batch in released for entry in batch]


def test_the_heap_is_released_once_when_the_last_request_ends() -> None:
    finished, released_after = asyncio.run(_overlapping())
    assert sorted(finished) == ["/hold", "/quick", "/quick"]
    assert released_after == finished  # one release, after every request had finished


def test_a_request_that_fails_still_leaves_the_service_idle() -> None:
    released: list[int] = []
    app = ReleaseWhenIdle(held_app(asyncio.Event(), []), release=lambda: released.append(1))

    async def call() -> None:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.post("/boom")).status_code == 500

    asyncio.run(call())
    assert released == [1] and app.in_flight == 0


@pytest.mark.skipif(
    platform.system() != "Linux"
    or not ctypes.util.find_library("c")
    or platform.libc_ver()[0] != "glibc",
    reason="glibc only",
)
def test_glibc_takes_the_arena_cap_and_trims() -> None:
    assert limit_arenas(0) is False  # 0 leaves glibc's default
    assert limit_arenas(8) is True
    garbage = [bytearray(64 * 1024) for _ in range(2000)]  # 128 MB in pieces, then freed
    fence = bytearray(64 * 1024)  # still live above them: free() alone cannot hand them back
    del garbage
    assert release_free_memory() is True  # the freed pieces went back to the system
    assert len(fence) == 64 * 1024


class _Loaded:
    """Stands for a model's objects: alive for as long as the process."""


def test_what_start_up_loaded_is_not_walked_by_later_collections() -> None:
    loaded = [_Loaded() for _ in range(1000)]
    cycle = _Loaded()
    cycle.itself = cycle  # garbage only the collector frees
    gone = weakref.ref(cycle)
    del cycle
    try:
        frozen = freeze_loaded()
        tracked = {id(o) for o in gc.get_objects()}
        assert frozen >= len(loaded)
        assert not tracked & {id(o) for o in loaded}
        assert gone() is None  # collected first, not kept alive by freezing
    finally:
        gc.unfreeze()
    assert {id(o) for o in loaded} <= {id(o) for o in gc.get_objects()}
