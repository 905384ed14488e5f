"""What a chain needs to know about a model, as plain data from its preset."""

from __future__ import annotations

from dataclasses import dataclass


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
