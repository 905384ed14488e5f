"""SubRip subtitles: each cue's text is a segment; numbers, timings and tags stay as they are."""

from __future__ import annotations

import itertools
import re

from .inline import Atom, Node, Text, has_letters
from .segment import Segment

_TIMING = re.compile(r"^\d{1,2}:\d{2}:\d{2}[,.]\d{3}\s*-->\s*\d{1,2}:\d{2}:\d{2}[,.]\d{3}")
# Formatting tags (<i>, </b>, <font color=…>) and positioning codes ({\an8}) in cue text. A tag
# ends before the next one starts: `[^>]*` read the rest of the line at every unclosed `<`.
_TAGS = re.compile(r"</?[a-zA-Z][^<>]*>|\{\\[^{}]*\}")


class SrtDocument:
    """A subtitle file: cue text translated, line breaks and tags kept in place."""

    def __init__(self, text: str) -> None:
        # Files made on Windows end lines with CRLF, and are written back so (players and
        # editors that split on one kind only would see one long cue).
        self._newline = "\r\n" if "\r\n" in text else "\n"
        self._lines = text.split(self._newline)
        self.segments: list[Segment] = []
        cue: list[int] = []
        for n, line in enumerate(self._lines):
            if _TIMING.match(line.strip()):
                cue = []
                continue
            if not line.strip():
                self._add(cue)
                cue = []
            elif n > 0 and (cue or _TIMING.match(self._lines[n - 1].strip())):
                cue.append(n)
        self._add(cue)

    def _add(self, cue: list[int]) -> None:
        if not cue:
            return
        counter = itertools.count(1)
        nodes: list[Node] = []
        kept: dict[int, str] = {}
        for k, n in enumerate(cue):
            if k:
                ref = next(counter)
                kept[ref] = "\n"
                nodes.append(Atom(ref))
            last = 0
            line = self._lines[n]
            for match in _TAGS.finditer(line):
                if match.start() > last:
                    nodes.append(Text(line[last : match.start()]))
                ref = next(counter)
                kept[ref] = match.group()
                nodes.append(Atom(ref))
                last = match.end()
            if last < len(line):
                nodes.append(Text(line[last:]))
        if not has_letters(nodes):
            return

        def apply(answer: list[Node]) -> None:
            text = "".join(n.value if isinstance(n, Text) else kept[n.ref] for n in answer)  # type: ignore[union-attr]
            lines = [line.strip() for line in text.split("\n")]
            self._lines[cue[0]] = self._newline.join(lines)
            for n in cue[1:]:
                self._lines[n] = "\0"  # merged into the cue's first line

        self.segments.append(Segment(nodes, apply, kind="subtitle"))

    def render(self) -> str:
        """The subtitles with translated cue text."""
        return self._newline.join(line for line in self._lines if line != "\0")
