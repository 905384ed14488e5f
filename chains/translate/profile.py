"""What the translation chain needs to know about a model, as plain data from its preset."""

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


@dataclass(frozen=True)
class TranslateOptions:
    """Batching and concurrency limits."""

    batch_segments: int = 24
    batch_chars: int = 2400
    concurrency: int = 1
    # Per-segment language detection is only trusted on text at least this long.
    detect_min_chars: int = 40
