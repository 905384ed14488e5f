"""Pseudo-localisation as a LangChain LLM: a fast, deterministic, honest stand-in for a model."""

from __future__ import annotations

import re
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.llms import LLM

# Placeholders the markup pipeline gives models: <b1>, </b1>, <x2/>; they pass through untouched.
_PLACEHOLDER = re.compile(r"</?[a-z]+\d+\s*/?>")
_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "àƀçđéƒĝĥîĵķĺɱñöþǫŕšţûṽŵẋýžÀƁÇĐÉƑĜĤÎĴĶĹṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)


def pseudolocalize(text: str) -> str:
    """Accent every ASCII letter and bracket the text, keeping placeholders and outer whitespace."""
    core = text.strip()
    if not core:
        return text
    pieces, last = [], 0
    for match in _PLACEHOLDER.finditer(core):
        pieces.append(core[last : match.start()].translate(_ACCENTED))
        pieces.append(match.group())
        last = match.end()
    pieces.append(core[last:].translate(_ACCENTED))
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}[{''.join(pieces)}]{trail}"


class PseudoLocalizer(LLM):
    """An LLM whose answer is the pseudo-localised prompt."""

    @property
    def _llm_type(self) -> str:
        return "pseudo"

    def _call(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        return pseudolocalize(prompt)
