"""Offline language detection with py3langid, which ships its model inside the package."""

from __future__ import annotations

from functools import cache

from .errors import InputError
from .languages import language_names


@cache
def _identifier():
    # Imported lazily: loading the model takes a moment and nothing should happen at import time.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([code for code in language_names() if code in identifier.labels])
    return identifier


def detect_language(text: str) -> tuple[str, float]:
    """Return the most likely language code of `text` and its probability."""
    if not text.strip():
        raise InputError("cannot detect the language of empty text")
    code, probability = _identifier().classify(text)
    return code, float(probability)
