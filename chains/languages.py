"""Language codes and names, read from the prompts' data file."""

from __future__ import annotations

from dragoman.prompts import load_data

from .errors import UnsupportedLanguage


def language_names() -> dict[str, str]:
    """Return every supported language code with its English name."""
    return dict(load_data("languages")["names"])


def _known_codes() -> dict[str, str]:
    """Every code a client may send, lower-cased, to the supported code it stands for."""
    data = load_data("languages")
    known = {code.lower(): code for code in data["names"]}
    known.update({alias.lower(): code for alias, code in data["aliases"].items()})
    return known


def normalize_code(code: str) -> str:
    """Map a user's language code ("DE", "pt-BR", "zh_TW", "zh-Hant", "zt") onto a supported
    code, dropping subtags from the end until one is known ("zh-Hant-HK" → "zh-TW"), or raise."""
    known = _known_codes()
    parts = code.strip().replace("_", "-").lower().split("-")
    for end in range(len(parts), 0, -1):
        candidate = "-".join(parts[:end])
        if candidate in known:
            return known[candidate]
    raise UnsupportedLanguage(f"unsupported language code {code!r}; see /languages for the list")


def language_name(code: str) -> str:
    """Return the English name of a supported language code."""
    return language_names()[normalize_code(code)]


def primary(code: str) -> str:
    """The primary language subtag ("zh-TW" → "zh"), which is all detection can tell apart."""
    return code.split("-")[0].lower()


def is_english(code: str) -> bool:
    """Whether a language code is English, of any region ("en", "en-GB", "EN_us")."""
    return primary(code.replace("_", "-")) == "en"
