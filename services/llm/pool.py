"""A pool of model servers behind one HTTP client.

Each request goes to the server with the fewest requests in flight for its slots. A server
that cannot be reached, or answers 502/503/504, is left out for `retry_after` seconds; a
request that never reached it goes to another server at once. A server that fails mid-answer
fails that call, which the caller's retry then sends elsewhere: nothing is lost, and nothing
is answered twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

_RETRYABLE_STATUS = {502, 503, 504}


@dataclass
class Server:
    """One server of the pool and what the pool knows of it."""

    url: str
    slots: int = 1
    in_flight: int = 0
    down_until: float = 0.0
    error: str = ""
    turn: int = 0  # when it was last chosen: among equally busy servers, the longest idle wins

    def describe(self, now: float) -> dict[str, Any]:
        """Summarise for /health."""
        return {
            "url": self.url,
            "up": now >= self.down_until,
            "in_flight": self.in_flight,
            "slots": self.slots,
            "error": self.error or None,
        }


class ServerPool:
    """Servers of one model, chosen by load; failing ones are skipped until they are due again."""

    def __init__(
        self,
        urls: list[str] | tuple[str, ...],
        retry_after: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.servers = [Server(url.rstrip("/")) for url in urls]
        self.retry_after = retry_after
        self._clock = clock
        self._lock = threading.Lock()
        self._turns = 0

    def acquire(self, tried: set[str]) -> Server | None:
        """Take the least busy server not yet tried (one that is up if any), or None."""
        with self._lock:
            now = self._clock()
            left = [s for s in self.servers if s.url not in tried]
            if not left:
                return None
            up = [s for s in left if now >= s.down_until]
            # With every server down, try the one due first: that is how a pool recovers.
            server = (
                min(up, key=lambda s: (s.in_flight / s.slots, s.turn))
                if up
                else min(left, key=lambda s: s.down_until)
            )
            self._turns += 1
            server.in_flight, server.turn = server.in_flight + 1, self._turns
            return server

    def release(self, server: Server, error: str | None = None) -> None:
        """A request to `server` ended; an error takes the server out for a while."""
        with self._lock:
            server.in_flight -= 1
            if error:
                server.down_until = self._clock() + self.retry_after
                server.error = error
            elif server.error:
                server.down_until, server.error = 0.0, ""

    def mark_down(self, server: Server, error: str) -> None:
        """Take `server` out for a while (a probe found it away)."""
        with self._lock:
            server.down_until = self._clock() + self.retry_after
            server.error = error

    def up_slots(self) -> int:
        """Requests the servers that are up can run at once (at least 1)."""
        now = self._clock()
        return max(1, sum(s.slots for s in self.servers if now >= s.down_until))

    def describe(self) -> list[dict[str, Any]]:
        """Every server, for /health."""
        now = self._clock()
        return [server.describe(now) for server in self.servers]


def _rebase(url: httpx.URL, base: str, server: Server) -> httpx.URL:
    text = str(url)
    return httpx.URL(server.url + text[len(base) :]) if text.startswith(base) else url


def _fault(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}".rstrip(": ")


class PoolTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """An httpx transport that sends requests for `base` to the pool's servers."""

    def __init__(
        self,
        pool: ServerPool,
        base: str,
        sync: httpx.BaseTransport | None = None,
        asynchronous: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.pool = pool
        self.base = base.rstrip("/")
        self._sync = sync or httpx.HTTPTransport()
        self._async = asynchronous or httpx.AsyncHTTPTransport()

    def _route(self, request: httpx.Request, tried: set[str]) -> Server:
        server = self.pool.acquire(tried)
        if server is None:
            raise httpx.ConnectError("no model server of the pool answered", request=request)
        tried.add(server.url)
        request.url = _rebase(request.url, self.base, server)
        return server

    def _failed(
        self, server: Server, response: httpx.Response | None, exc: Exception | None
    ) -> bool:
        """Release a failed attempt; tell whether another server may take the request."""
        if response is not None:
            self.pool.release(server, f"HTTP {response.status_code}")
            return True
        self.pool.release(server, _fault(exc) if exc else "failed")
        return isinstance(exc, httpx.ConnectError)  # it never reached the server

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        tried: set[str] = set()
        while True:
            server = self._route(request, tried)
            try:
                response = await self._async.handle_async_request(request)
            except httpx.TransportError as exc:
                if self._failed(server, None, exc) and len(tried) < len(self.pool.servers):
                    continue
                raise
            if response.status_code in _RETRYABLE_STATUS and len(tried) < len(self.pool.servers):
                await response.aclose()
                self._failed(server, response, None)
                continue
            response.stream = _AsyncReleasing(response.stream, self.pool, server)
            return response

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        tried: set[str] = set()
        while True:
            server = self._route(request, tried)
            try:
                response = self._sync.handle_request(request)
            except httpx.TransportError as exc:
                if self._failed(server, None, exc) and len(tried) < len(self.pool.servers):
                    continue
                raise
            if response.status_code in _RETRYABLE_STATUS and len(tried) < len(self.pool.servers):
                response.close()
                self._failed(server, response, None)
                continue
            response.stream = _SyncReleasing(response.stream, self.pool, server)
            return response

    async def aclose(self) -> None:
        await self._async.aclose()

    def close(self) -> None:
        self._sync.close()


class _AsyncReleasing(httpx.AsyncByteStream):
    """A response body that gives its server back to the pool once read or closed."""

    def __init__(self, stream: Any, pool: ServerPool, server: Server) -> None:
        self._stream, self._pool, self._server = stream, pool, server
        self._error: str | None = None
        self._released = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._stream:
                yield chunk
        except httpx.TransportError as exc:  # the server went away mid-answer
            self._error = _fault(exc)
            raise

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if not self._released:
                self._released = True
                self._pool.release(self._server, self._error)


class _SyncReleasing(httpx.SyncByteStream):
    """The same, for the synchronous client."""

    def __init__(self, stream: Any, pool: ServerPool, server: Server) -> None:
        self._stream, self._pool, self._server = stream, pool, server
        self._error: str | None = None
        self._released = False

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._stream
        except httpx.TransportError as exc:
            self._error = _fault(exc)
            raise

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            if not self._released:
                self._released = True
                self._pool.release(self._server, self._error)
