"""The one place where typed errors become HTTP statuses and CLI exit codes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dragoman.chains import (
    BackendUnavailable,
    DragomanError,
    InputError,
    InputTooLarge,
    UnsupportedFormat,
)

from ..errors import (
    ConfigError,
    DatabaseUnavailable,
    DeadlineExceeded,
    Forbidden,
    Incomplete,
    JobNotDone,
    JobNotFound,
    Overloaded,
    Unauthorized,
)

HTTP_STATUS: dict[type[DragomanError], int] = {
    UnsupportedFormat: 415,
    InputTooLarge: 413,
    InputError: 422,
    BackendUnavailable: 503,
    DatabaseUnavailable: 503,
    Overloaded: 429,
    DeadlineExceeded: 504,
    Unauthorized: 401,
    Forbidden: 403,
    JobNotFound: 404,
    JobNotDone: 409,
    ConfigError: 500,
    DragomanError: 500,
}

# The facades' dialect (LibreTranslate's and LanguageTool's servers): 400 for any bad input
# (Dragoman's 415 and 422), 403 for a missing or bad key; 413, 429, 503, 504, 404 as elsewhere.
COMPAT_STATUS: dict[int, int] = {415: 400, 422: 400, 401: 403}
COMPAT_DIALECTS = ("LibreTranslate", "LanguageTool")

EXIT_CODE: dict[type[DragomanError], int] = {
    InputError: 2,
    ConfigError: 2,
    BackendUnavailable: 3,
    DatabaseUnavailable: 3,
    Incomplete: 4,
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


def compat_status(status: int) -> int:
    """The status a facade answers where Dragoman's own API answers `status`."""
    return COMPAT_STATUS.get(status, status)


def exit_code(exc: DragomanError) -> int:
    """Process exit code for a typed error."""
    return _lookup(EXIT_CODE, exc)


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    """The JSON body of every error answer."""
    return {"error": {"code": code, "message": message}}


def libretranslate_body(message: str) -> dict[str, str]:
    """The JSON body of an error answer on the LibreTranslate facade."""
    return {"error": message}


def validation_message(errors: Iterable[Any]) -> str:
    """One line from pydantic's validation errors: `field: problem; …` (where, not how it came)."""
    problems = []
    for error in errors:
        if error["type"] == "json_invalid":  # loc holds a character position, not a field
            problems.append(f"the body is not valid JSON: {error['ctx']['error']}")
            continue
        where = ".".join(str(p) for p in error["loc"] if p not in ("body", "query"))
        problems.append(f"{where or 'body'}: {error['msg']}")
    return "; ".join(problems)
