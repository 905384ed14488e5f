"""What a chain needs to know about a model, as plain data from its preset."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .calls import fill_template


@dataclass(frozen=True)
class ModelProfile:
    """How to prompt a model and bound its answers."""

    style: str = "chat"  # chat | completion | raw
    # Some chat templates (Gemma's) have no system role; then instructions join the first user turn.
    system_role: bool = True
    context_window: int = 8192
    # The keyword the model takes for a per-call token cap; None when it cannot take one.
    max_tokens_param: str | None = "max_tokens"
    # Identifies model, backend, prompt version and decoding for the translation memory.
    fingerprint: str = ""
    # Keywords for every call; "$source" and "$target" stand for the job's language codes.
    request_kwargs: Mapping[str, Any] = field(default_factory=dict)
    # Keywords asking for an answer constrained to a JSON schema ("$schema"); None: not used.
    schema_kwargs: Mapping[str, Any] | None = None
    # Whether an answer must be in the target language (not for pseudo-localisation).
    check_language: bool = True
    # The languages (primary codes) the model corrects when proofreading; None: every one with
    # prompts.
    proofreads: frozenset[str] | None = None

    @property
    def follows_prompts(self) -> bool:
        """Whether a language model answers the prompts ("raw" models only transform a text)."""
        return self.style in ("chat", "completion")

    def request(self, source: str, target: str) -> dict[str, Any]:
        """The keywords every call carries, filled in for a language pair."""
        return dict(fill_template(self.request_kwargs, {"source": source, "target": target}))
