"""What a translation run shares: its languages and notes, its limits, and the memory it uses."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class Memory(Protocol):
    """A store of finished translations keyed by `memory_key`."""

    def get_many(self, keys: list[str]) -> dict[str, str]: ...

    def put_many(self, items: dict[str, str]) -> None: ...


@dataclass(frozen=True)
class TranslateOptions:
    """Batching, concurrency and repair limits (their defaults live in the service's Settings)."""

    batch_segments: int
    batch_chars: int
    concurrency: int
    # A retry that is not a segment taken out of its batch samples at this temperature.
    retry_temperature: float
    # Tokens one segment may cost over its whole repair ladder, in multiples of its first call's.
    ladder_cost: float


@dataclass(frozen=True)
class Job:
    """What every segment of one request shares."""

    source: str
    target: str
    note: str = ""
    # Tells whether text is confidently in another language than the target (detection).
    is_foreign: Callable[[str], bool] = lambda text: False

    @property
    def prompt_args(self) -> tuple[str, str, str]:
        """Source, target and notes, as the prompt builders take them."""
        return self.source, self.target, self.note


def normalize(text: str) -> str:
    """The form of a segment the memory keys on: NFC, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def memory_key(text: str, job: Job, fingerprint: str) -> str:
    """Key a segment by its text, language pair, model fingerprint and prompt notes."""
    material = json.dumps([normalize(text), job.source, job.target, fingerprint, job.note])
    return hashlib.sha256(material.encode()).hexdigest()
