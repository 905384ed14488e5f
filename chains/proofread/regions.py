"""Prose regions of an input, each character mapped back to its offset in the input.

Only prose is checked: code, markup, quoted e-mail and signatures never reach a check, and an
issue whose span does not map onto one unbroken stretch of the input is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

from ..errors import InputError
from ..formats import ProofreadFormat
from ..markup.html import ATOMIC, CODE, INLINE, SKIP
from ..markup.markdown import markdown_parser

SYNTHETIC = -1
# A paragraph: text up to a blank line.
_PARAGRAPH = re.compile(r"\S(?:.|\n(?![ \t]*\n))*")


@dataclass
class Region:
    """Text to check, and for each of its characters the input offset (or SYNTHETIC)."""

    text: str = ""
    origins: list[int] = field(default_factory=list)

    def add(self, text: str, at: int) -> None:
        """Append input text that starts at input offset `at`."""
        self.text += text
        self.origins.extend(range(at, at + len(text)))

    def add_synthetic(self, text: str) -> None:
        """Append text that is not in the input (a stand-in for code, a line break)."""
        self.text += text
        self.origins.extend([SYNTHETIC] * len(text))

    def to_input(self, start: int, end: int) -> tuple[int, int] | None:
        """Map a span of this region onto the input, or None if it is not one unbroken stretch."""
        if not 0 <= start < end <= len(self.text):
            return None
        origins = self.origins[start:end]
        if SYNTHETIC in origins or origins[-1] - origins[0] != end - start - 1:
            return None
        return origins[0], origins[-1] + 1


def _lines_with_offsets(text: str) -> list[tuple[int, str]]:
    out, at = [], 0
    for line in text.split("\n"):
        out.append((at, line))
        at += len(line) + 1
    return out


def text_regions(text: str) -> list[Region]:
    """Plain text: one region per paragraph, so a long document is checked piece by piece."""
    regions = []
    for match in _PARAGRAPH.finditer(text):
        region = Region()
        region.add(match.group(), match.start())
        regions.append(region)
    return regions


_QUOTED = re.compile(r"^\s*>")
_REPLY_HEADER = re.compile(r"^\s*On\b.*\bwrote:\s*$")
_REPLY_START = re.compile(r"^\s*On\b")
_SIGNATURE = re.compile(r"^--\s?$")


def email_regions(text: str) -> list[Region]:
    """E-mail: skip quoted `>` lines, 'On … wrote:' headers, and the signature after '-- '."""
    regions: list[Region] = []
    current = Region()
    lines = _lines_with_offsets(text)
    skip_next = False
    for n, (at, line) in enumerate(lines):
        if _SIGNATURE.match(line):
            break
        header = _REPLY_HEADER.match(line) or (
            _REPLY_START.match(line)
            and n + 1 < len(lines)
            and lines[n + 1][1].rstrip().endswith("wrote:")
        )
        if skip_next or _QUOTED.match(line) or header:
            skip_next = bool(header) and not _REPLY_HEADER.match(line)
            if current.text.strip():
                regions.append(current)
            current = Region()
            continue
        current.add(line + ("\n" if n + 1 < len(lines) else ""), at)
    if current.text.strip():
        regions.append(current)
    return regions


# Code, scripts and drawings hold no prose (void elements must not be here: they never end).
_SKIP = SKIP | CODE | {"svg", "math"}


def _is_block(tag: str) -> bool:
    """Whether `tag` ends a region: any element that is not inline, and line breaks."""
    return tag == "br" or (tag not in INLINE and tag not in ATOMIC)


class _HtmlProse(HTMLParser):
    """Collects the text of an HTML document with offsets; skips code and non-prose elements."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.starts = [at for at, _ in _lines_with_offsets(source)]
        self.regions: list[Region] = []
        self.current = Region()
        self.skipping: list[str] = []

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.starts[line - 1] + col

    def _flush(self) -> None:
        if self.current.text.strip():
            self.regions.append(self.current)
        self.current = Region()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIP:
            self.skipping.append(tag)
            if tag in CODE:
                self.current.add_synthetic("X")  # inline code reads as a word in its sentence
            else:
                self._flush()
        elif _is_block(tag):
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()
        elif _is_block(tag):
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.current.add(data, self._offset())

    def handle_entityref(self, name: str) -> None:
        if not self.skipping:
            self.current.add_synthetic(unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        if not self.skipping:
            self.current.add_synthetic(unescape(f"&#{name};"))


def html_regions(text: str) -> list[Region]:
    """HTML: the prose of block elements; code, scripts and markup are left out."""
    parser = _HtmlProse(text)
    parser.feed(text)
    parser.close()
    parser._flush()
    return parser.regions


def markdown_regions(text: str) -> list[Region]:
    """Markdown: paragraphs, headings, list items and cells; code, link targets and HTML skipped."""
    lines = _lines_with_offsets(text)
    regions = []
    md = markdown_parser()
    cursors: dict[int, int] = {}
    for token in md.parse(text):
        if token.type != "inline" or not token.map or not token.children:
            continue
        line = token.map[0]
        region = Region()
        for child in token.children:
            if child.type == "text" and child.content:
                at, source = lines[line]
                found = source.find(child.content, cursors.get(line, 0))
                if found < 0:
                    region.add_synthetic(child.content)
                    continue
                region.add(child.content, at + found)
                cursors[line] = found + len(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                region.add_synthetic(" ")
                line += 1
            elif child.type in ("code_inline", "image"):
                region.add_synthetic("X")
        if region.text.strip():
            regions.append(region)
    return regions


REGIONS: dict[ProofreadFormat, Callable[[str], list[Region]]] = {
    "text": text_regions,
    "email": email_regions,
    "html": html_regions,
    "markdown": markdown_regions,
}


def prose_regions(text: str, fmt: str) -> list[Region]:
    """Split an input of format `fmt` into prose regions."""
    if fmt not in REGIONS:
        raise InputError(f"unknown format {fmt!r}; expected one of: {', '.join(REGIONS)}")
    return REGIONS[fmt](text)
