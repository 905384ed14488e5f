"""What every format hands the translation pipeline: segments that can put a translation back."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from .inline import Atom, Node, Pair, Text, serialize

# Pieces of running text that must never change: URLs, e-mail addresses, @mentions, emoji, and
# anything that looks like one of our placeholders (so a post cannot forge one). Every branch
# starts only where its match can start (an address where a word starts, a tag's end before the
# next `<`): tried inside a long word, a branch read that word to its end at each letter, so one
# word of 1 MB took hours.
_KEEP = re.compile(
    r"(?P<url>(?:https?|ftp)://[^\s<>\"']+|www\.[^\s<>\"']+\.[^\s<>\"']+)"
    r"|(?P<email>(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<mention>(?<![\w@/])@\w[\w.-]*\w|(?<![\w@/])@\w)"
    r"|(?P<emoji>[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF][\uFE0F\u200D\U0001F3FB-\U0001F3FF"
    r"\U0001F000-\U0001FAFF\u2600-\u27BF]*)"
    r"|(?P<fake></?[a-z]\d+\s*/?>|</?source\b[^<>]*>)"
)
_URL_TAIL = ".,;:!?)]}'\""


@dataclass
class Segment:
    """A unit of translation: its inline tree, the string the model sees, how to write it back."""

    nodes: list[Node]
    apply: Callable[[list[Node]], None]
    kind: str = "inline"
    text: str = field(init=False)

    def __post_init__(self) -> None:
        # Words that are all one link or one format (a table of contents' `<li><a>…</a></li>`, a
        # bold heading) are translated as words and put back inside it: a model that left text
        # outside the pair wrote it where a book's navigation allows none.
        if len(self.nodes) == 1 and isinstance(self.nodes[0], Pair) and self.nodes[0].children:
            outer, inner_apply = self.nodes[0], self.apply
            self.nodes = outer.children
            self.apply = lambda answer: inner_apply([Pair(outer.ref, outer.tag, answer)])
        self.text = serialize(self.nodes)

    def put(self, answer: list[Node]) -> None:
        """Write a translation back; one the same as the source leaves the source as it was
        (its exact bytes, spacing and entities included)."""
        if serialize(answer) != self.text:
            self.apply(answer)


class Document(Protocol):
    """A parsed input: its segments, and its text rebuilt after segments were applied."""

    segments: list[Segment]

    def render(self) -> str:
        """Return the document with every applied translation in place."""
        ...


def split_keep(text: str, next_ref: Callable[[], int]) -> Iterator[tuple[Node, str | None]]:
    """Split running text into Text nodes and Atoms for the pieces that must stay verbatim."""
    last = 0
    for match in _KEEP.finditer(text):
        piece = match.group()
        if match.lastgroup == "url":
            piece = piece.rstrip(_URL_TAIL)
        start, end = match.start(), match.start() + len(piece)
        if start > last:
            yield Text(text[last:start]), None
        yield Atom(next_ref()), piece
        last = end
    if last < len(text):
        yield Text(text[last:]), None
