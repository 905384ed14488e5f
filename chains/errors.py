"""Typed errors raised by chains; services turn them into HTTP statuses and exit codes in one place
(services/api/errormap.py). The whole tree, with the module of each class:

DragomanError                    every error reported to a user (HTTP 500, exit 1)
├── InputError                   the caller's input cannot be processed (HTTP 422, exit 2)
│   ├── UnsupportedLanguage      a language code Dragoman does not know
│   ├── InputTooLarge            over a configured size limit (HTTP 413)
│   ├── NestedTooDeeply          markup nested deeper than a parser should follow
│   ├── DtdForbidden             XML in a .docx or .epub declares a DTD Dragoman will not read
│   └── UnsupportedFormat        a file type not translated (HTTP 415)
├── MarkupMismatch               an answer's placeholders do not fit (the repair ladder's cue)
├── BackendUnavailable           the model backend cannot be reached or keeps failing (503, exit 3)
├── DatabaseUnavailable          services.errors: the shared database cannot be used (503, exit 3)
├── ConfigError                  services.errors: configuration cannot work (HTTP 500, exit 2)
│   ├── ModelNotFound            a local model file is missing
│   └── EngineCrashed            the embedded llama.cpp cannot run on this CPU (a test decode died)
├── Unauthorized                 services.errors: no valid API token (HTTP 401)
├── Overloaded                   services.errors: the queue is full (HTTP 429, Retry-After)
├── DeadlineExceeded             services.errors: the request deadline passed (HTTP 504)
├── JobNotFound                  services.errors: no such document job (HTTP 404)
├── JobNotDone                   services.errors: the job has no result yet (HTTP 409)
├── Forbidden                    services.errors: a feature the service does not offer (HTTP 403)
└── Incomplete                   services.errors: a run ended with failed files or segments (exit 4)

On the compatibility facades every InputError is a 400 and Unauthorized a 403, in each API's own
error body (services.api.errormap.COMPAT_STATUS).

Rejected is not a DragomanError: it never reaches a user, the repair ladder (chains.translate)
replaces the answer it names. The services' classes are in services/errors.py, the only other
module that declares errors.
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


class NestedTooDeeply(InputError):
    """Markup nested deeper than any real page: hostile or broken, never followed down."""

    code = "nested_too_deeply"

    def __init__(self, depth: int) -> None:
        super().__init__(
            f"the markup is nested too deeply: more than {depth - 1} elements inside each other"
        )


class DtdForbidden(InputError):
    """XML in a document declares a DTD of its own (chains.markup.dtd): refused, never read."""

    code = "dtd_forbidden"


class BackendUnavailable(DragomanError):
    """The model backend at `url` could not be reached or answered with an error."""

    code = "backend_unavailable"

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"model backend at {url} is unavailable: {reason}")
        self.url = url
        self.reason = reason


class UnsupportedFormat(InputError):
    """A file type Dragoman does not translate."""

    code = "unsupported_format"


class MarkupMismatch(DragomanError):
    """A model's answer does not carry the source's placeholders, properly nested."""

    code = "markup_mismatch"


class Rejected(Exception):
    """A model's answer for a segment cannot be used; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
