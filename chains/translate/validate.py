"""Checks on a model's answer for one segment, before any of it reaches a document."""

from __future__ import annotations

import re

from ..errors import MarkupMismatch, Rejected
from ..markup.inline import WHITESPACE, Atom, Node, Pair, Text, parse, text_of
from ..scripts import wide_count
from .budget import COPY_HEAD, copied_prefix, looping, runaway
from .commentary import commentary
from .job import Job

_THINK = re.compile(r"</?think>|<\|?(?:thinking|reasoning)\|?>", re.I)
# Languages written without spaces between words: there a missing space beside a tag is no loss.
_NO_SPACES = {"zh", "zh-TW", "ja", "th"}


def _wide_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return wide_count("".join(letters)) / len(letters)


def _ratio_bounds(source: str, answer: str) -> tuple[float, float]:
    # A CJK sentence is far shorter in characters than its English translation, and back.
    if abs(_wide_share(source) - _wide_share(answer)) > 0.5:
        return 0.08, 12.0
    return 0.25, 4.0


def _first_line(answer: str) -> str:
    return answer.strip(WHITESPACE).split("\n", 1)[0]


def check_answer(source: list[Node], source_text: str, answer: str) -> list[Node]:
    """Parse `answer` against the source's placeholders, or raise Rejected with the reason."""
    if _THINK.search(answer) and not _THINK.search(source_text):
        raise Rejected("reasoning text in the answer")
    aside = commentary(answer.strip(WHITESPACE), source_text)
    if aside is not None:
        raise Rejected(aside)
    if "\n" in answer.strip(WHITESPACE):
        raise Rejected("several lines for a one-line segment")
    loop = looping(answer, source_text)
    if loop is not None:
        raise Rejected(f"the answer repeats {loop!r} in a loop")
    try:
        nodes = parse(answer.strip(WHITESPACE), source)
    except MarkupMismatch as exc:
        raise Rejected(f"markup: {exc.message}") from None
    plain_source, plain_answer = text_of(source), text_of(nodes)
    if not plain_answer and plain_source:
        raise Rejected("empty answer")
    if len(plain_source) >= 16:
        low, high = _ratio_bounds(plain_source, plain_answer)
        ratio = len(plain_answer) / len(plain_source)
        if not low <= ratio <= high:
            raise Rejected(f"length ratio {ratio:.2f} outside {low}–{high}")
    return nodes


def restore_spacing(source: list[Node], answer: list[Node], target: str) -> tuple[list[Node], bool]:
    """Put back a space the model dropped beside a placeholder; report whether one was added."""
    if target in _NO_SPACES:
        return answer, False
    spaced = _spaced_edges(source)
    changed = False

    def glued(text: str) -> bool:
        # Only a word glued to a tag is a lost space; punctuation there is fine.
        return text[:1].isalnum()

    def fix(nodes: list[Node]) -> list[Node]:
        nonlocal changed
        out: list[Node] = []
        space_after = False  # the placeholder just passed had a space after it in the source
        for node in nodes:
            if isinstance(node, Pair):
                node = Pair(node.ref, node.tag, fix(node.children))
            if space_after and isinstance(node, Text) and glued(node.value):
                node = Text(" " + node.value)
                changed = True
            space_after = False
            if isinstance(node, Pair | Atom) and node.ref in spaced:
                before, space_after = spaced[node.ref]
                prev = out[-1] if out else None
                if before and isinstance(prev, Text) and glued(prev.value[-1:]):
                    out[-1] = Text(prev.value + " ")
                    changed = True
            out.append(node)
        return out

    return fix(answer), changed


def _spaced_edges(source: list[Node]) -> dict[int, tuple[bool, bool]]:
    """For each placeholder, whether the source had a space right before it and right after it."""
    edges: dict[int, tuple[bool, bool]] = {}

    def visit(nodes: list[Node]) -> None:
        for i, node in enumerate(nodes):
            if isinstance(node, Pair | Atom):
                prev = nodes[i - 1] if i else None
                nxt = nodes[i + 1] if i + 1 < len(nodes) else None
                before = isinstance(prev, Text) and prev.value[-1:].isspace()
                after = isinstance(nxt, Text) and nxt.value[:1].isspace()
                edges[node.ref] = (before, after)
            if isinstance(node, Pair):
                visit(node.children)

    visit(source)
    return edges


def copying_foreign(answer: str, source: str, job: Job, most: int | None = None) -> bool:
    """Whether an answer so far is a long word-for-word copy of a foreign source (judged on its
    first `most` characters, if given)."""
    copied = copied_prefix(answer, source, most)
    return copied is not None and job.is_foreign(copied)


def gone_wrong(answer: str, source: str, job: Job) -> bool:
    """Whether a streamed answer can stop now: it loops, runs away, or copies foreign text.
    Called after every chunk, it reads a bounded stretch of the answer and of its source."""
    return runaway(answer, source) or copying_foreign(answer, source, job, COPY_HEAD)


def check_language(source: str, answer: str, job: Job) -> None:
    """Reject an answer confidently in another language than the target; a source kept as it
    was is fine unless it is itself foreign prose (names, product titles, code stay as they are)."""
    if job.is_foreign(answer) and (answer != source or job.is_foreign(source)):
        raise Rejected("left untranslated" if answer == source else f"answer not in {job.target}")
