"""ASGI guards in front of the app: Host allowlist (against DNS rebinding) and body size."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ..errors import BodyTooLarge
from .errormap import error_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# This machine's names; IPv6 hosts come bracketed in a Host header and bare in settings.
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def is_loopback(host: str) -> bool:
    """Whether a host name or address (bracketed IPv6 too) is this machine's."""
    return host.lower().strip("[]") in LOOPBACK


async def send_error(send: Send, status: int, code: str, message: str) -> None:
    """Answer with Dragoman's JSON error body."""
    body = json.dumps(error_body(code, message)).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _host(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"host":
            host = value.decode("latin-1").lower()
            return host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return ""


class HostGuard:
    """Refuse requests whose Host is not this machine's (or a configured name)."""

    def __init__(self, app: ASGIApp, allowed: list[str]) -> None:
        self.app = app
        self.allowed = {h.lower() for h in allowed}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        host = _host(scope)
        if scope["type"] == "http" and not is_loopback(host) and host not in self.allowed:
            message = f"Host {_host(scope)!r} is not served here; see DRAGOMAN_ALLOWED_HOSTS"
            await send_error(send, 421, "host_not_allowed", message)
            return
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuse bodies over `limit` bytes (`uploads` on the paths that take documents, whose
    pictures make them larger than any text), by their declared length or as they arrive."""

    def __init__(
        self, app: ASGIApp, limit: int, uploads: int = 0, upload_paths: tuple[str, ...] = ()
    ) -> None:
        self.app = app
        self.limit = limit
        self.uploads = max(uploads, limit)
        self.upload_paths = upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.uploads if scope.get("path") in self.upload_paths else self.limit
        declared = dict(scope.get("headers", [])).get(b"content-length")
        message = f"the request body is over {limit} bytes"
        if declared is not None and int(declared) > limit:
            await send_error(send, 413, "body_too_large", message)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            item = await receive()
            seen += len(item.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(message)
            return item

        try:
            await self.app(scope, counted, send)
        except BodyTooLarge as exc:
            await send_error(send, 413, "body_too_large", str(exc))
