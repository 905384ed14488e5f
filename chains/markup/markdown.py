"""Markdown: the inline content of paragraphs, headings, list items and table cells as segments.

Code spans and blocks, link targets and raw HTML never reach the model; untouched blocks stay
byte for byte, and a translated block is written back in place of its source lines.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .inline import Atom, Node, Pair, Text, has_letters
from .segment import Segment, split_keep

_PAIRS = {"em": "i", "strong": "b", "s": "g", "link": "a"}
_ESCAPE = re.compile(r"([\\`*_\[\]<>&|])")
_LINE_START = re.compile(r"^([#+=-]|\d+[.)])")


def markdown_parser() -> MarkdownIt:
    """CommonMark with raw HTML, tables and strikethrough: how Dragoman reads Markdown. Link
    targets are kept as written: markdown-it percent-encodes them for HTML, which rewrote
    `#stündliche-daten` as `#st%C3%BCndliche-daten` in the translated file."""
    parser = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
    parser.normalizeLink = _as_written  # type: ignore[method-assign]
    return parser


def _as_written(url: str) -> str:
    return url


@dataclass
class _Located:
    line: int
    start: int
    end: int
    extra_lines: list[int]


class MarkdownDocument:
    """A Markdown text split into inline segments; blocks that stay the same stay byte-identical."""

    def __init__(self, text: str) -> None:
        self._lines = text.split("\n")
        self._edits: dict[int, tuple[_Located, str]] = {}
        self.segments: list[Segment] = []
        cursors: dict[int, int] = {}
        for token in markdown_parser().parse(text):
            if token.type == "inline" and token.map and token.children:
                self._add(token, cursors)

    def _locate(self, token: Token, cursors: dict[int, int]) -> _Located | None:
        first = token.map[0] if token.map else 0
        content_lines = token.content.split("\n")
        line = self._lines[first] if first < len(self._lines) else ""
        start = line.find(content_lines[0], cursors.get(first, 0))
        if start < 0:
            return None
        end = start + len(content_lines[0])
        cursors[first] = end
        extra = [first + k for k in range(1, len(content_lines))]
        if any(
            n >= len(self._lines)
            or not self._lines[n].rstrip().endswith(content_lines[k + 1].rstrip())
            for k, n in enumerate(extra)
        ):
            return None
        return _Located(first, start, end, extra)

    def _add(self, token: Token, cursors: dict[int, int]) -> None:
        located = self._locate(token, cursors)
        counter = itertools.count(1)
        raw: dict[int, tuple[str, str]] = {}
        nodes = _inline(token.children or [], counter, raw)
        if located is None or not has_letters(nodes):
            return

        def apply(answer: list[Node]) -> None:
            text = _render(answer, raw)
            if not located.start or not self._lines[located.line][: located.start].strip():
                text = _LINE_START.sub(r"\\\1", text)
            self._edits[id(apply)] = (located, text)

        self.segments.append(Segment(nodes, apply, kind="markdown"))

    def render(self) -> str:
        """The Markdown with translated blocks written over their source lines, each line built
        once from its pieces (a table row of 100,000 cells was copied once per cell)."""
        lines = list(self._lines)
        dropped: set[int] = set()
        by_line: dict[int, list[tuple[_Located, str]]] = {}
        for located, text in self._edits.values():
            by_line.setdefault(located.line, []).append((located, text))
            dropped.update(located.extra_lines)
        for n, edits in by_line.items():
            pieces, last = [], 0
            for located, text in sorted(edits, key=lambda edit: edit[0].start):
                pieces += [lines[n][last : located.start], text]
                last = located.end
            lines[n] = "".join(pieces) + lines[n][last:]
        return "\n".join(line for n, line in enumerate(lines) if n not in dropped)


def _inline(
    tokens: list[Token], counter: itertools.count, raw: dict[int, tuple[str, str]]
) -> list[Node]:
    """Turn markdown-it inline tokens into a segment tree; `raw` keeps what each ref stands for."""
    root: list[Node] = []
    stack: list[list[Node]] = [root]
    skip_autolink = False
    for token in tokens:
        kind = token.type
        if skip_autolink:
            skip_autolink = kind != "link_close"
            continue
        if kind == "link_open" and token.markup == "autolink":
            ref = next(counter)
            raw[ref] = (f"<{token.attrs.get('href', '')}>", "")
            stack[-1].append(Atom(ref))
            skip_autolink = True
        elif kind.endswith("_open") and kind[:-5] in _PAIRS:
            ref = next(counter)
            raw[ref] = _pair_markup(token)
            pair = Pair(ref, _PAIRS[kind[:-5]])
            stack[-1].append(pair)
            stack.append(pair.children)
        elif kind.endswith("_close") and kind[:-6] in _PAIRS and len(stack) > 1:
            stack.pop()
        elif kind == "text":
            for node, piece in split_keep(token.content, lambda: next(counter)):
                stack[-1].append(node)
                if piece is not None:
                    raw[node.ref] = (piece, "")  # type: ignore[union-attr]
        elif kind == "softbreak":
            stack[-1].append(Text("\n"))
        else:
            ref = next(counter)
            raw[ref] = (_atom_markup(token), "")
            stack[-1].append(Atom(ref))
    return root


def _pair_markup(token: Token) -> tuple[str, str]:
    if token.type == "link_open":
        title = token.attrs.get("title")
        target = _destination(str(token.attrs.get("href", ""))) + (f' "{title}"' if title else "")
        return "[", f"]({target})"
    return token.markup, token.markup


def _destination(url: str) -> str:
    """A link target as Markdown writes it: in angle brackets where a space or an unbalanced
    parenthesis would end it."""
    unbalanced = url.count("(") != url.count(")")
    return f"<{url}>" if unbalanced or re.search(r"[\s<>]", url) else url


def _atom_markup(token: Token) -> str:
    if token.type == "code_inline":
        return f"{token.markup}{token.content}{token.markup}"
    if token.type == "image":
        title = token.attrs.get("title")
        return (
            f"![{token.content}]({_destination(str(token.attrs.get('src', '')))}"
            + (f' "{title}"' if title else "")
            + ")"
        )
    if token.type == "hardbreak":
        return "\\\n"
    return token.content


def _render(nodes: list[Node], raw: dict[int, tuple[str, str]]) -> str:
    out = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(_ESCAPE.sub(r"\\\1", node.value))
        elif isinstance(node, Pair):
            opening, closing = raw[node.ref]
            out.append(opening + _render(node.children, raw) + closing)
        else:
            out.append(raw[node.ref][0])
    return "".join(out).strip()
