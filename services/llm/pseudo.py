"""Pseudo-localisation as a LangChain LLM: a fast, deterministic, honest stand-in for a model."""

from __future__ import annotations

import re
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.llms import LLM

# What passes through untouched: the markup pipeline's placeholders (<b1>, </b1>, <x2/>), printf
# and Python format specifiers (%s, %1$s, %(name)s, %.2f, %%), and ICU / str.format arguments
# ({count}, {0}, {n, number}, the head and keys of {n, plural, one {…} other {…}}), so that a
# gettext or ICU catalogue comes back usable.
KEPT = re.compile(  # public: tests strip what it keeps
    r"</?[a-z]+\d+\s*/?>"
    r"|%(?:\d+\$)?(?:\([^()\s]+\))?[-+#0]*(?:\d+|\*)?(?:\.\d+)?(?:hh?|ll?)?[diouxXeEfFgGcrsa%@]"
    r"|\{\s*\w+\s*(?:,\s*\w+\s*)?\}"
    r"|\{\s*\w+\s*,\s*(?:plural|select|selectordinal)\s*,"
    r"|(?:=\d+|\b(?:zero|one|two|few|many|other))(?=\s*\{)"
)
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
    for match in KEPT.finditer(core):
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
