"""A pool of model servers behind one HTTP client.

Each request goes to the server with the fewest requests in flight for its slots. A server
that cannot be reached, times out, fails before its answer's first byte, or answers
502/503/504, is left out for `retry_after` seconds, and the request goes on to a server not yet
tried, whichever servers came before. A server that fails mid-answer fails that call, which the
caller's retry then sends elsewhere: nothing is lost, and nothing is answered twice.
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

    def any_up(self) -> Server:
        """A server to ask something other than a model call (its tokenizer): the first that
        is up, else the one due first; its load and turn are left as they are."""
        with self._lock:
            now = self._clock()
            up = [s for s in self.servers if now >= s.down_until]
            return up[0] if up else min(self.servers, key=lambda s: s.down_until)

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
    """`url` (under `base`) moved under the server's URL. Compared as httpx parsed both: it
    drops a default port (:80, :443) and lower-cases the host, so their text may differ."""
    root = httpx.URL(base)
    prefix = root.raw_path.rstrip(b"/")
    same = (url.scheme, url.host, url.port) == (root.scheme, root.host, root.port)
    if not same or not url.raw_path.startswith(prefix):
        return url
    target = httpx.URL(server.url)
    path = target.raw_path.rstrip(b"/") + url.raw_path[len(prefix) :]
    return url.copy_with(scheme=target.scheme, host=target.host, port=target.port, raw_path=path)


def _fault(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".rstrip(": ")


class _Attempts:
    """One request's way through the pool, the same for the sync and async clients: each
    attempt is built from the request as it came (so any server can follow any other), and a
    failure before the answer's first byte goes on to a server not yet tried."""

    def __init__(self, pool: ServerPool, base: str, request: httpx.Request) -> None:
        self.pool, self.base, self.request = pool, base, request
        self.original = request.url
        self.tried: set[str] = set()

    def route(self) -> Server:
        """Point the request at the next server to try."""
        server = self.pool.acquire(self.tried)
        if server is None:
            raise httpx.ConnectError("no model server of the pool answered", request=self.request)
        self.tried.add(server.url)
        self.request.url = _rebase(self.original, self.base, server)
        return server

    def _more(self) -> bool:
        return len(self.tried) < len(self.pool.servers)

    def retry_after_error(self, server: Server, exc: Exception) -> bool:
        """The attempt failed before an answer (refused, timed out, cut off): another server?"""
        self.pool.release(server, _fault(exc))
        return self._more()

    def abandon(self, server: Server) -> None:
        """The attempt was cancelled or broke on our side: give the server back, blameless."""
        self.pool.release(server)

    def retry_after_status(self, server: Server, response: httpx.Response) -> bool:
        """The server answered that it cannot serve now (502/503/504): another server? The
        caller closes the answer when so."""
        if response.status_code not in _RETRYABLE_STATUS or not self._more():
            return False
        self.pool.release(server, f"HTTP {response.status_code}")
        return True

    @staticmethod
    def error_of(response: httpx.Response) -> str | None:
        """What a kept answer says of its server: the last server's 502/503/504 is its error."""
        return f"HTTP {response.status_code}" if response.status_code in _RETRYABLE_STATUS else None


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

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        attempts = _Attempts(self.pool, self.base, request)
        while True:
            server = attempts.route()
            try:
                response = await self._async.handle_async_request(request)
            except httpx.TransportError as exc:
                if attempts.retry_after_error(server, exc):
                    continue
                raise
            except BaseException:  # the caller gave up (cancelled, client gone): not a fault
                attempts.abandon(server)
                raise
            if attempts.retry_after_status(server, response):
                await response.aclose()
                continue
            error = attempts.error_of(response)
            response.stream = _AsyncReleasing(response.stream, self.pool, server, error)
            return response

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        attempts = _Attempts(self.pool, self.base, request)
        while True:
            server = attempts.route()
            try:
                response = self._sync.handle_request(request)
            except httpx.TransportError as exc:
                if attempts.retry_after_error(server, exc):
                    continue
                raise
            except BaseException:  # the caller gave up (cancelled, client gone): not a fault
                attempts.abandon(server)
                raise
            if attempts.retry_after_status(server, response):
                response.close()
                continue
            error = attempts.error_of(response)
            response.stream = _SyncReleasing(response.stream, self.pool, server, error)
            return response

    async def aclose(self) -> None:
        await self._async.aclose()

    def close(self) -> None:
        self._sync.close()


class _Releasing:
    """A response body that gives its server back to the pool once, when read or closed."""

    def __init__(
        self, stream: Any, pool: ServerPool, server: Server, error: str | None = None
    ) -> None:
        self._stream, self._pool, self._server = stream, pool, server
        self._error = error
        self._released = False

    def _release(self) -> None:
        if not self._released:
            self._released = True
            self._pool.release(self._server, self._error)


class _AsyncReleasing(_Releasing, httpx.AsyncByteStream):
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
            self._release()


class _SyncReleasing(_Releasing, httpx.SyncByteStream):
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
            self._release()
