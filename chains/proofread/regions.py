"""Prose regions of an input, each character mapped back to its offset in the input.

Only prose is checked: code, markup, quoted e-mail and signatures never reach a check, and an
issue whose span does not map onto one unbroken stretch of the input is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape

from bs4 import NavigableString, Tag
from bs4.element import PreformattedString

from ..errors import InputError
from ..formats import ProofreadFormat
from ..markup.html import ATOMIC, CODE, INLINE, SKIP
from ..markup.html5 import RAW_TEXT, parse_html5
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
_SKIP = SKIP | CODE | RAW_TEXT | {"svg", "math", "title", "head", "listing"}
# Markup between two text nodes: comments, doctypes, processing instructions, start and end tags
# (quoted attribute values may hold `>`). Everything else in the source is text.
_MARKUP = re.compile(
    r"<!--.*?(?:--!?>|$)|<[!?][^>]*>?|</[^>]*>?"
    r"""|<[A-Za-z][^\s/>]*(?:\s*[^\s/>"'=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?|\s*/)*\s*>?""",
    re.S,
)
_REFERENCE = re.compile(r"&(?:#[xX][0-9a-fA-F]+;?|#[0-9]+;?|[A-Za-z][A-Za-z0-9]*;?)")


def _is_block(tag: str) -> bool:
    """Whether `tag` ends a region: any element that is not inline, and line breaks."""
    return tag == "br" or (tag not in INLINE and tag not in ATOMIC)


class _SourceCursor:
    """Finds each text node of the parsed tree in the source, in document order.

    The HTML5 parser keeps no offsets, so each node's text is matched against the source after
    the markup that precedes it: a character read as it is keeps its offset, one written as a
    reference (`&amp;`) or a CRLF is synthetic. A node the parser moved or made up matches nowhere
    and is all synthetic, so no issue is ever placed on it.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.at = 1 if source.startswith("\ufeff") else 0

    def _next_text(self) -> int:
        at = self.at
        while (markup := _MARKUP.match(self.source, at)) and markup.end() > at:
            at = markup.end()
        return at

    def locate(self, text: str, raw: bool = False) -> list[int] | None:
        """Offsets of each character of `text` (SYNTHETIC where written otherwise), or None;
        `raw` text (a script's) holds no character references."""
        source, at = self.source, self._next_text()
        origins: list[int] = []
        while len(origins) < len(text):
            want = text[len(origins)]
            reference = None if raw else _REFERENCE.match(source, at)
            decoded = unescape(reference.group()) if reference else ""
            if (
                reference
                and decoded != reference.group()
                and text.startswith(decoded, len(origins))
            ):
                origins += [SYNTHETIC] * len(decoded)
                at = reference.end()
            elif source.startswith("\r\n", at) and want == "\n":
                origins.append(SYNTHETIC)
                at += 2
            elif at < len(source) and (source[at] == want or (source[at] == "\r" and want == "\n")):
                origins.append(at if source[at] == want else SYNTHETIC)
                at += 1
            else:
                return None
        self.at = at
        return origins


class _HtmlProse:
    """Collects the prose of an HTML5 tree with source offsets; skips code and non-prose."""

    def __init__(self, source: str) -> None:
        self.cursor = _SourceCursor(source)
        self.regions: list[Region] = []
        self.current = Region()

    def flush(self) -> None:
        if self.current.text.strip():
            self.regions.append(self.current)
        self.current = Region()

    def text(self, text: str, prose: bool, raw: bool) -> None:
        origins = self.cursor.locate(text, raw)
        if prose:
            self.current.text += text
            self.current.origins += origins or [SYNTHETIC] * len(text)

    def walk(self, node: Tag, prose: bool = True) -> None:
        for child in node.children:
            if isinstance(child, Tag):
                name = child.name
                if prose and name in CODE:
                    self.current.add_synthetic("X")  # inline code reads as a word in its sentence
                elif prose and (name in _SKIP or _is_block(name)):
                    self.flush()
                self.walk(child, prose and name not in _SKIP)
                if prose and name not in CODE and (name in _SKIP or _is_block(name)):
                    self.flush()
            elif isinstance(child, NavigableString) and not isinstance(child, PreformattedString):
                # Comments and doctypes are markup; every other string is text, read or skipped.
                self.text(str(child), prose, raw=node.name in RAW_TEXT)


def html_regions(text: str) -> list[Region]:
    """HTML: the prose of block elements as the HTML5 parser reads it; code and markup left out."""
    prose = _HtmlProse(text)
    prose.walk(parse_html5(text))
    prose.flush()
    return prose.regions


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
