"""JSON bodies as text can hold it: JSON may escape half a surrogate pair (`"\\ud800"`), which
no encoder can write, so such a body is refused as malformed JSON before any endpoint sees it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from dragoman.chains import InputError

# A \u escape of a surrogate: only bodies that have one need their strings checked.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class _LoneSurrogate(json.JSONDecodeError):
    """A JSON string escapes half a surrogate pair."""


def loads(raw: bytes) -> Any:
    """`raw` parsed as JSON; a lone surrogate anywhere is a JSONDecodeError at its string."""
    data = json.loads(raw)
    if _SURROGATE_ESCAPE.search(raw):
        _refuse_lone_surrogates(data, raw)
    return data


def loads_object(raw: bytes) -> dict[str, Any] | None:
    """The fields of a JSON object; None when `raw` is no JSON object; half a pair, InputError."""
    try:
        data = loads(raw)
    except _LoneSurrogate as exc:
        raise InputError(f"the body is not valid JSON: {exc.msg}") from None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _refuse_lone_surrogates(data: Any, raw: bytes) -> None:
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                half = f"\\u{ord(item[exc.start]):04x}"
                found = re.search(re.escape(half.encode()), raw, re.IGNORECASE)
                message = f"{half} is half a surrogate pair, which is no character"
                doc = raw.decode("utf-8", "replace")
                raise _LoneSurrogate(message, doc, found.start() if found else 0) from None
        elif isinstance(item, dict):
            pending += [*item, *item.values()]
        elif isinstance(item, list):
            pending += item


class CheckedJsonRequest(Request):
    """A request whose JSON body is read with `loads`."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads(await self.body())
        return self._json


class CheckedJsonRoute(APIRoute):
    """A route that reads JSON bodies with `loads` (FastAPI's documented custom-request hook)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def checked(request: Request) -> Response:
            return await handler(CheckedJsonRequest(request.scope, request.receive))

        return checked
