"""Errors of configuration and set-up, beside the chains' typed errors (see chains.errors)."""

from __future__ import annotations

from chains.errors import DragomanError


class ConfigError(DragomanError):
    """The configuration names something that does not exist or cannot work."""

    code = "invalid_configuration"


class ModelNotFound(ConfigError):
    """The model file of a local backend is missing."""

    code = "model_not_found"


class JobNotFound(DragomanError):
    """No document job has this id."""

    code = "not_found"


class JobNotDone(DragomanError):
    """The document job has no result yet."""

    code = "not_finished"
