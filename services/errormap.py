"""The one place where typed errors become HTTP statuses and CLI exit codes."""

from __future__ import annotations

from chains.errors import BackendUnavailable, DragomanError, InputError, InputTooLarge
from chains.formats import UnsupportedFormat

from .admission import DeadlineExceeded, Overloaded
from .auth import Unauthorized
from .errors import ConfigError, JobNotDone, JobNotFound

HTTP_STATUS: dict[type[DragomanError], int] = {
    UnsupportedFormat: 415,
    InputTooLarge: 413,
    InputError: 422,
    BackendUnavailable: 503,
    Overloaded: 429,
    DeadlineExceeded: 504,
    Unauthorized: 401,
    JobNotFound: 404,
    JobNotDone: 409,
    ConfigError: 500,
    DragomanError: 500,
}

EXIT_CODE: dict[type[DragomanError], int] = {
    InputError: 2,
    ConfigError: 2,
    BackendUnavailable: 3,
    DragomanError: 1,
}


def _lookup(table: dict[type[DragomanError], int], exc: DragomanError) -> int:
    for cls in type(exc).__mro__:
        if cls in table:
            return table[cls]
    return table[DragomanError]


def http_status(exc: DragomanError) -> int:
    """HTTP status for a typed error."""
    return _lookup(HTTP_STATUS, exc)


def exit_code(exc: DragomanError) -> int:
    """Process exit code for a typed error."""
    return _lookup(EXIT_CODE, exc)


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    """The JSON body of every error answer."""
    return {"error": {"code": code, "message": message}}
