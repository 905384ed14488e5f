"""What a translation run shares: its languages and notes, its limits, and the memory it uses."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Origin:
    """What a remembered translation was made from: the normalized source and the pair."""

    text: str
    source: str
    target: str


class Memory(Protocol):
    """A store of finished translations keyed by `memory_key`, searchable by source words."""

    def get_many(self, keys: list[str]) -> dict[str, str]: ...

    def put_many(self, items: dict[str, str], origins: dict[str, Origin] | None = None) -> None: ...

    def similar(
        self, texts: list[str], source: str, target: str, most: int
    ) -> dict[str, list[tuple[str, str]]]:
        """Up to `most` remembered (source, translation) pairs sharing words with each text."""
        ...


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
    # Fuzzy matches from the memory shown as examples: how many at most, and how close at least.
    memory_examples: int = 0
    memory_match: float = 1.0


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


# The fingerprint of translations a person made (imported from a TMX file), not a model.
IMPORTED = "imported"


def imported_key(text: str, source: str, target: str) -> str:
    """Key a person's translation of a segment: found whatever the model and the notes."""
    return memory_key(text, Job(source, target), IMPORTED)
