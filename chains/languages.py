"""Language codes and names, read from the prompts' data file."""

from __future__ import annotations

from dragoman.prompts import load_data

from .errors import UnsupportedLanguage


def language_names() -> dict[str, str]:
    """Return every supported language code with its English name."""
    return dict(load_data("languages")["names"])


def normalize_code(code: str) -> str:
    """Map a user's language code ("DE", "pt-BR", "zh_TW") onto a supported code, or raise."""
    names = language_names()
    cleaned = code.strip().replace("_", "-")
    for candidate in (cleaned, cleaned.lower(), cleaned.split("-")[0].lower()):
        for known in names:
            if known.lower() == candidate.lower():
                return known
    raise UnsupportedLanguage(f"unsupported language code {code!r}; see /languages for the list")


def language_name(code: str) -> str:
    """Return the English name of a supported language code."""
    return language_names()[normalize_code(code)]
