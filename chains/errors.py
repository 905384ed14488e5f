"""Typed errors raised by chains; services turn them into HTTP statuses and exit codes in one place.

DragomanError
├── InputError            the caller's input cannot be processed (HTTP 422, exit 2)
│   ├── UnsupportedLanguage
│   └── InputTooLarge     (HTTP 413)
└── BackendUnavailable    the model backend cannot be reached or keeps failing (HTTP 503, exit 3)
"""

from __future__ import annotations


class DragomanError(Exception):
    """Base of every error Dragoman reports to a user."""

    code = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(DragomanError):
    """The input cannot be processed as given."""

    code = "invalid_input"


class UnsupportedLanguage(InputError):
    """A language code Dragoman does not know."""

    code = "unsupported_language"


class InputTooLarge(InputError):
    """The input is over a configured size limit."""

    code = "input_too_large"


class BackendUnavailable(DragomanError):
    """The model backend at `url` could not be reached or answered with an error."""

    code = "backend_unavailable"

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"model backend at {url} is unavailable: {reason}")
        self.url = url
        self.reason = reason
