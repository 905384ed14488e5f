"""Offline language detection with py3langid, which ships its model inside the package."""

from __future__ import annotations

from functools import cache

from .errors import InputError
from .languages import language_names

# What text without letters ("12345", "…") is said to be: English at confidence 0, as LibreTranslate
# answers, never a confident guess.
UNDETERMINED = ("en", 0.0)
# Below this many letters a text's language is a guess; its confidence shrinks in proportion.
_TRUSTED_LETTERS = 20


@cache
def _identifier():
    # Imported lazily: loading the model takes a moment and nothing should happen at import time.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    full = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    full.set_languages([code for code in language_names() if code in full.labels])
    # Built again from the restricted tables alone: set_languages keeps the whole model beside
    # them (27 MB of weights for languages Dragoman never names).
    return LanguageIdentifier(
        full.nb_ptc,
        full.nb_pc,
        full.nb_classes,
        full.tk_nextmove,
        full.tk_output,
        norm_probs=True,
        tk_row=full.tk_row,
    )


def load_detector() -> None:
    """Load the language model now (a warm-up) rather than on the first text."""
    _identifier()


def identify(text: str) -> tuple[str, float]:
    """The model's most likely language of `text` and its own probability (near 1 even for one
    word: callers that use it gate on the text's length themselves)."""
    if not text.strip():
        raise InputError("cannot detect the language of empty text")
    if not any(c.isalpha() for c in text):
        return UNDETERMINED
    code, probability = _identifier().classify(text)
    return code, float(probability)


def detect_language(text: str) -> tuple[str, float]:
    """The most likely language of `text` and a confidence that is honestly low for short texts."""
    code, probability = identify(text)
    letters = sum(1 for c in text if c.isalpha())
    return code, probability * min(1.0, letters / _TRUSTED_LETTERS)
