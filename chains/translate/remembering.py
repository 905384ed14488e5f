"""A translator's use of the translation memory: segments finished before (a person's imported
translation first, then the same model's), what it keeps, and the fuzzy matches it shows the
model as examples. Every call here reads or writes a database: run it in a worker thread."""

from __future__ import annotations

from ..errors import Rejected
from ..markup.inline import serialize
from ..markup.segment import Segment
from .fewshot import Example, closest
from .job import Job, Memory, Origin, TranslateOptions, imported_key, memory_key, normalize
from .result import REMEMBERED, Outcome
from .validate import check_answer


class Remembering:
    """One translator's memory: looked up by key, searched by words, written per segment."""

    def __init__(self, memory: Memory, fingerprint: str, options: TranslateOptions) -> None:
        self.memory = memory
        self.fingerprint = fingerprint
        self.options = options

    def finished(self, unique: dict[str, Segment], job: Job) -> dict[str, Outcome]:
        """Outcomes of the segments the memory holds a fitting translation of."""
        ours = {memory_key(text, job, self.fingerprint): text for text in unique}
        people = {imported_key(text, job.source, job.target): text for text in unique}
        found = self.memory.get_many([*people, *ours])
        out: dict[str, Outcome] = {}
        # A person's translation comes first; one that does not fit (its tags) gives way.
        for keys in (people, ours):
            for key, text in keys.items():
                if key not in found or text in out:
                    continue
                segment = unique[text]
                try:
                    nodes = check_answer(segment.nodes, segment.text, found[key])
                except Rejected:
                    continue
                out[text] = Outcome(nodes, "ok")
        return out

    def keep(self, outcomes: dict[str, Outcome], job: Job) -> None:
        """Store the outcomes worth remembering, with their sources for later searches."""
        keep: dict[str, str] = {}
        origins: dict[str, Origin] = {}
        for text, outcome in outcomes.items():
            if outcome.status in REMEMBERED and outcome.nodes is not None:
                key = memory_key(text, job, self.fingerprint)
                keep[key] = serialize(outcome.nodes)
                origins[key] = Origin(normalize(text), job.source, job.target)
        if keep:
            self.memory.put_many(keep, origins)

    def examples(self, texts: list[str], job: Job) -> dict[str, list[Example]]:
        """Each text's closest remembered segments, to show the model (none if turned off)."""
        most = self.options.memory_examples
        if most <= 0 or not texts:
            return {}
        # More candidates than examples: the search ranks by shared words, `closest` by order.
        found = self.memory.similar(texts, job.source, job.target, 4 * most)
        chosen = {t: closest(t, found.get(t, []), most, self.options.memory_match) for t in texts}
        return {text: matches for text, matches in chosen.items() if matches}
