"""Chat batches: several segments in one request, as numbered lines or as JSON constrained to
exactly their ids, and the checks on a batch answer as a whole."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from langchain_core.prompt_values import PromptValue

from ..calls import fill_template
from ..markup.segment import Segment
from ..profile import ModelProfile
from .prompting import batch_prompt

_BATCH_LINE = re.compile(r"^\s*\[(\d+)\]\s?(.*)$")
# Two different sources rarely share a translation this long; a model inventing one phrase does.
_SAME_ANSWER_MIN_CHARS = 16


def split_batches(
    segments: list[Segment], most_segments: int, most_chars: int
) -> Iterator[list[Segment]]:
    """Consecutive batches within the segment and character caps."""
    batch: list[Segment] = []
    size = 0
    for segment in segments:
        if batch and (len(batch) >= most_segments or size + len(segment.text) > most_chars):
            yield batch
            batch, size = [], 0
        batch.append(segment)
        size += len(segment.text)
    if batch:
        yield batch


def batch_schema(count: int) -> dict[str, Any]:
    """A JSON schema admitting exactly the ids 1..count, each once, each a string."""
    ids = [str(n) for n in range(1, count + 1)]
    return {
        "type": "object",
        "properties": {n: {"type": "string"} for n in ids},
        "required": ids,
        "additionalProperties": False,
    }


def batch_request(
    profile: ModelProfile, texts: list[str], source: str, target: str, note: str
) -> tuple[PromptValue, dict[str, Any]]:
    """The prompt for a batch and the call keywords constraining its answer, if the profile can."""
    if profile.schema_kwargs is None:
        return batch_prompt(profile, texts, source, target, note), {}
    prompt = batch_prompt(profile, texts, source, target, note, task="translate_batch_json")
    return prompt, fill_template(profile.schema_kwargs, {"schema": batch_schema(len(texts))})


def parse_batch(answer: str, count: int, constrained: bool) -> dict[int, str] | None:
    """The answer's translations by id; None unless ids 1..count each appear exactly once."""
    found = _parse_json(answer) if constrained else _parse_lines(answer)
    return found if found is not None and set(found) == set(range(1, count + 1)) else None


def _parse_lines(answer: str) -> dict[int, str] | None:
    found: dict[int, str] = {}
    for line in answer.splitlines():
        match = _BATCH_LINE.match(line)
        if not match:
            continue
        index = int(match.group(1))
        if index in found:
            return None
        found[index] = match.group(2)
    return found


def _parse_json(answer: str) -> dict[int, str] | None:
    try:
        data = json.loads(answer)
    except ValueError:
        return None  # cut off by the token cap, most often
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        return None
    try:
        return {int(key): value for key, value in data.items()}
    except ValueError:
        return None


def shared_answers(answers: dict[int, str], sources: dict[int, str]) -> set[int]:
    """Ids whose answer is also the answer to a different source in the same batch."""
    by_answer: dict[str, set[int]] = defaultdict(set)
    for index, answer in answers.items():
        normalized = " ".join(answer.split()).casefold()
        if len(normalized) >= _SAME_ANSWER_MIN_CHARS:
            by_answer[normalized].add(index)
    shared: set[int] = set()
    for indexes in by_answer.values():
        if len({" ".join(sources[i].split()).casefold() for i in indexes}) > 1:
            shared |= indexes
    return shared
