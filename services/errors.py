"""The service's errors, beside the chains' typed errors (the whole tree is in chains.errors);
services/api/errormap.py maps every class to its HTTP status and exit code."""

from __future__ import annotations

from dragoman.chains import DragomanError


class ConfigError(DragomanError):
    """The configuration names something that does not exist or cannot work."""

    code = "invalid_configuration"


class ModelNotFound(ConfigError):
    """The model file of a local backend is missing."""

    code = "model_not_found"


class EngineCrashed(ConfigError):
    """The embedded llama.cpp cannot run on this CPU: a test decode died (SIGILL) or hung."""

    code = "engine_crashed"


class DatabaseUnavailable(DragomanError):
    """The database of the translation memory and document jobs cannot be used."""

    code = "database_unavailable"

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"database at {url} is unavailable: {reason}")
        self.url = url


class JobNotFound(DragomanError):
    """No document job has this id."""

    code = "not_found"


class JobNotDone(DragomanError):
    """The document job has no result yet."""

    code = "not_finished"


class Unauthorized(DragomanError):
    """No valid API token came with the request."""

    code = "unauthorized"


class Overloaded(DragomanError):
    """More requests are waiting for the model than the queue holds."""

    code = "overloaded"
    retry_after = 2


class DeadlineExceeded(DragomanError):
    """The request took longer than the configured deadline."""

    code = "deadline_exceeded"


class Forbidden(DragomanError):
    """The service does not offer what was asked (LibreTranslate's suggestions)."""

    code = "forbidden"


class Incomplete(DragomanError):
    """The work ran to its end, but part of it failed (a file, or segments kept untranslated)."""

    code = "incomplete"


class BodyTooLarge(Exception):
    """A chunked request body grew past the limit; the guard answers 413 itself."""
