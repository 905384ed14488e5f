"""Recognise backend failures in whatever the client libraries raise, as BackendUnavailable."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from dragoman.chains import BackendUnavailable, DragomanError


def _status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def as_backend_error(exc: BaseException, url: str) -> BackendUnavailable | None:
    """Return a BackendUnavailable when `exc` means the backend is down or failing, else None."""
    request = getattr(exc, "request", None)
    where = str(request.url) if isinstance(request, httpx.Request) else url
    status = _status_of(exc)
    if status is not None and status >= 500:
        return BackendUnavailable(where, f"HTTP {status}")
    # openai.APIConnectionError and APITimeoutError, httpx's transport errors, and the
    # ConnectionError the ollama client raises all mean nothing usable came back.
    names = {cls.__name__ for cls in type(exc).__mro__}
    if isinstance(exc, httpx.TransportError | ConnectionError | TimeoutError) or names & {
        "APIConnectionError",
        "APITimeoutError",
    }:
        return BackendUnavailable(where, str(exc) or type(exc).__name__)
    # A body that is not the API's JSON: the backend is up but broken, or not the server we think.
    # (A streamed answer with no events at all reaches us as LangChain's ValueError.)
    empty_stream = isinstance(exc, ValueError) and str(exc).startswith("No generation")
    if empty_stream or names & {"APIResponseValidationError", "JSONDecodeError", "ResponseError"}:
        return BackendUnavailable(where, f"invalid answer ({type(exc).__name__}: {exc})")
    return None


@contextmanager
def backend_errors(url: str) -> Iterator[None]:
    """Re-raise backend failures inside the block as BackendUnavailable naming `url`."""
    try:
        yield
    except DragomanError:
        raise
    except Exception as exc:
        fault = as_backend_error(exc, url)
        if fault is None:
            raise
        raise fault from exc
