"""Plain text: paragraphs (or single lines, where lines are not hard-wrapped prose) as segments."""

from __future__ import annotations

import itertools
import re
import textwrap

from .inline import Node, Text, has_letters, serialize
from .segment import Segment, split_keep

_BLANK = re.compile(r"\n[ \t]*\n")
_LIST_OR_QUOTE = re.compile(r"^\s*([-*+>•]|\d+[.)])\s+")
_WRAPPED_MIN = 50  # lines this long that continue on the next line look hard-wrapped


def _hard_wrapped(lines: list[str]) -> bool:
    """Whether a paragraph's lines were wrapped by hand (a file's last newline wraps nothing)."""
    lines = [line for line in lines if line.strip()]
    return len(lines) > 1 and all(
        len(line) >= _WRAPPED_MIN and not _LIST_OR_QUOTE.match(line) for line in lines[:-1]
    )


class PlainDocument:
    """Text split into translatable blocks; everything between them is kept byte for byte."""

    def __init__(self, text: str) -> None:
        self._parts: list[str] = []
        self.segments: list[Segment] = []
        for chunk in re.split(r"(\n[ \t]*\n)", text):
            if _BLANK.fullmatch(chunk):
                self._parts.append(chunk)
                continue
            lines = chunk.split("\n")
            blocks = ["\n".join(lines)] if _hard_wrapped(lines) else lines
            for i, block in enumerate(blocks):
                if i:
                    self._parts.append("\n")
                self._add(block)

    def _add(self, line_or_paragraph: str) -> None:
        # A list bullet or quote mark stays outside the segment, exactly as written.
        marker = _LIST_OR_QUOTE.match(line_or_paragraph)
        if marker:
            self._parts.append(marker.group())
        block = line_or_paragraph[marker.end() :] if marker else line_or_paragraph
        index = len(self._parts)
        self._parts.append(block)
        counter = itertools.count(1)
        pieces = list(split_keep(block, lambda: next(counter)))
        nodes: list[Node] = [node for node, _ in pieces]
        if not has_letters(nodes):
            return
        kept = {node.ref: piece for node, piece in pieces if piece is not None}  # type: ignore[union-attr]
        width = max(len(line) for line in block.split("\n"))
        wrapped = "\n" in block

        def apply(answer: list[Node]) -> None:
            text = _render(answer, kept)
            lead = block[: len(block) - len(block.lstrip())]
            trail = block[len(block.rstrip()) :]
            if wrapped:
                text = textwrap.fill(
                    text, width=width, break_long_words=False, break_on_hyphens=False
                )
            self._parts[index] = lead + text + trail

        self.segments.append(Segment(nodes, apply, kind="text"))

    def render(self) -> str:
        """The text with translations in place."""
        return "".join(self._parts)


def _render(nodes: list[Node], kept: dict[int, str]) -> str:
    out = []
    for node in nodes:
        out.append(node.value if isinstance(node, Text) else kept[node.ref])
    return serialize([Text("".join(out))])
