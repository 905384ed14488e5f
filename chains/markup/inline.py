"""Inline segment trees, their placeholder strings, and parsing a model's answer back safely."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..errors import MarkupMismatch


@dataclass
class Text:
    """Literal text; whatever it contains is only ever inserted as text."""

    value: str


@dataclass
class Pair:
    """An inline element with content, e.g. a link; `tag` is the placeholder letter."""

    ref: int
    tag: str
    children: list[Node] = field(default_factory=list)


@dataclass
class Atom:
    """Something kept exactly as in the source: code, an image, a URL, a line break."""

    ref: int
    tag: str = "x"


Node = Text | Pair | Atom

_PLACEHOLDER = re.compile(r"<(/?)([a-z])(\d+)(\s*/?)>")
# HTML's whitespace: a no-break space is content, not layout, so it is never collapsed.
WHITESPACE = " \t\n\r\f"
_SPACE = re.compile(r"[ \t\n\r\f]+")
_LETTER = re.compile(r"[^\W\d_]")
_CLOSING = set(" .,;:!?)]}\"'…")


def collapse(text: str) -> str:
    """Collapse runs of whitespace into single spaces, as HTML rendering does."""
    return _SPACE.sub(" ", text)


def placeholder_count(text: str) -> int:
    """How many placeholder tags a placeholder string holds."""
    return len(_PLACEHOLDER.findall(text))


def without_placeholders(text: str) -> str:
    """The placeholder string with its tags replaced by spaces: the words alone."""
    return _PLACEHOLDER.sub(" ", text)


def serialize(nodes: list[Node]) -> str:
    """Render nodes as the placeholder string a model sees, whitespace collapsed and trimmed."""
    return _serialize(nodes).strip(WHITESPACE)


def _serialize(nodes: list[Node]) -> str:
    out = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(collapse(node.value))
        elif isinstance(node, Pair):
            out.append(f"<{node.tag}{node.ref}>{_serialize(node.children)}</{node.tag}{node.ref}>")
        else:
            out.append(f"<{node.tag}{node.ref}/>")
    return "".join(out)


def walk(nodes: list[Node], parent: int = 0):
    """Yield (node, parent ref) for every node, depth first; 0 is the segment itself."""
    for node in nodes:
        yield node, parent
        if isinstance(node, Pair):
            yield from walk(node.children, node.ref)


def shape(nodes: list[Node]) -> dict[int, tuple[str, int]]:
    """Map each placeholder ref to its letter and the ref of the pair that holds it."""
    return {n.ref: (n.tag, parent) for n, parent in walk(nodes) if not isinstance(n, Text)}


def has_letters(nodes: list[Node]) -> bool:
    """Tell whether any text holds a letter, i.e. whether there is anything to translate."""
    return any(isinstance(n, Text) and _LETTER.search(n.value) for n, _ in walk(nodes))


def text_of(nodes: list[Node]) -> str:
    """The plain text of nodes, without placeholders, whitespace collapsed."""
    return collapse("".join(n.value for n, _ in walk(nodes) if isinstance(n, Text))).strip(
        WHITESPACE
    )


def parse(answer: str, source: list[Node]) -> list[Node]:
    """Parse a model's answer against the source's placeholders; raise MarkupMismatch if off."""
    expected = shape(source)
    atoms = {n.ref for n, _ in walk(source) if isinstance(n, Atom)}
    root: list[Node] = []
    stack: list[tuple[int, list[Node]]] = [(0, root)]
    seen: Counter[int] = Counter()
    last = 0
    for match in _PLACEHOLDER.finditer(answer):
        if match.start() > last:
            stack[-1][1].append(Text(answer[last : match.start()]))
        last = match.end()
        closing, tag, ref, selfclose = (
            match.group(1),
            match.group(2),
            int(match.group(3)),
            match.group(4),
        )
        if ref not in expected or expected[ref][0] != tag:
            raise MarkupMismatch(f"unknown placeholder {match.group()}")
        if closing:
            if stack[-1][0] != ref:
                raise MarkupMismatch(f"{match.group()} closes out of order")
            stack.pop()
            continue
        seen[ref] += 1
        if (selfclose.strip() == "/") != (ref in atoms):
            raise MarkupMismatch(f"placeholder {match.group()} changed kind")
        if ref in atoms:
            stack[-1][1].append(Atom(ref, tag))
        else:
            pair = Pair(ref, tag)
            stack[-1][1].append(pair)
            stack.append((ref, pair.children))
    if last < len(answer):
        stack[-1][1].append(Text(answer[last:]))
    if len(stack) > 1:
        raise MarkupMismatch(f"<{expected[stack[-1][0]][0]}{stack[-1][0]}> is never closed")
    check_same_shape(source, root, seen)
    return root


def check_same_shape(source: list[Node], answer: list[Node], seen: Counter[int]) -> None:
    """Require every placeholder exactly once, each inside the same pair as in the source."""
    expected, got = shape(source), shape(answer)
    missing = sorted(set(expected) - set(got))
    doubled = sorted(ref for ref, count in seen.items() if count > 1)
    if missing:
        raise MarkupMismatch(f"placeholders missing: {missing}")
    if doubled:
        raise MarkupMismatch(f"placeholders repeated: {doubled}")
    for ref, (tag, parent) in expected.items():
        if got[ref] != (tag, parent):
            raise MarkupMismatch(f"placeholder {tag}{ref} moved to another parent")


def drop_invented(answer: str, source: list[Node]) -> tuple[str, bool]:
    """Remove placeholders the source never had (a small model copies them from its examples),
    keeping what they wrap; tell whether any went. (Placeholder-like source text is an atom.)"""
    expected = shape(source)

    out: list[str] = []
    last = 0
    for match in _PLACEHOLDER.finditer(answer):
        if expected.get(int(match.group(3)), ("",))[0] == match.group(2):
            continue
        before, after = answer[last : match.start()], answer[match.end() : match.end() + 1]
        # An invented atom stood between words or before punctuation: its space goes with it.
        if "/" in match.group(4) and before.endswith(" ") and (not after or after in _CLOSING):
            before = before[:-1]
        out.append(before)
        last = match.end()
    cleaned = "".join(out) + answer[last:]
    return cleaned, cleaned != answer


def map_text(nodes: list[Node], translate) -> list[Node]:
    """Copy nodes, replacing each text's value by translate(value): the per-run fallback."""
    out: list[Node] = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(Text(translate(node.value)))
        elif isinstance(node, Pair):
            out.append(Pair(node.ref, node.tag, map_text(node.children, translate)))
        else:
            out.append(Atom(node.ref, node.tag))
    return out
