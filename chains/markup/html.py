"""HTML: block-level units with inline markup as placeholders, rebuilt from the source tree."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Doctype, NavigableString, PageElement, Tag

from ..errors import NestedTooDeeply
from .charset import declare_utf8, declared_charset, same_encoding
from .html5 import MAX_DEPTH, check_nesting, is_document, parse_html5, serialize
from .inline import WHITESPACE, Atom, Node, Pair, Text, collapse, has_letters, text_of
from .segment import Segment, split_keep
from .splice import attach, detach

INLINE = {
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "blink", "button", "cite", "data", "del",
    "dfn", "em", "font", "i", "ins", "label", "mark", "nobr", "q", "s", "small", "span", "strike",
    "strong", "sub", "sup", "time", "tt", "u",
}  # fmt: skip
# Inline elements whose content is code: kept verbatim, and read as one word when proofreading.
CODE = {"code", "kbd", "samp", "var"}
ATOMIC = CODE | {
    "audio", "br", "canvas", "embed", "iframe", "img", "input", "math", "meter", "object",
    "output", "picture", "progress", "select", "svg", "video", "wbr",
}  # fmt: skip
SKIP = {"script", "style", "pre", "textarea", "template", "noscript"}
TRANSLATED_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label")
_LETTERS = {"a": "a", "b": "b", "strong": "b", "i": "i", "em": "i", "u": "u"}


def _no_translate(tag: Tag) -> bool:
    classes: str | list[str] = tag.get("class") or []
    return tag.get("translate") == "no" or "notranslate" in (
        classes.split() if isinstance(classes, str) else classes
    )


def _is_text(node: PageElement) -> bool:
    return type(node) is NavigableString


@dataclass
class _Context:
    """Refs of one segment: which source node each placeholder stands for."""

    nodes: dict[int, PageElement | str] = field(default_factory=dict)
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def ref(self) -> int:
        return next(self.counter)


def _check_depth(root: Tag, most: int) -> None:
    """Refuse a tree with elements more than `most` deep (walked without recursion)."""
    stack = [(root, 0)]
    while stack:
        tag, depth = stack.pop()
        if depth > most:
            raise NestedTooDeeply(depth)
        stack.extend((child, depth + 1) for child in tag.contents if isinstance(child, Tag))


class HtmlDocument:
    """An HTML document or fragment split into translatable segments."""

    def __init__(self, html: str, xml: bool = False) -> None:
        # XHTML (EPUB) is XML: names are case-sensitive there, so it needs an XML parser. HTML is
        # parsed as browsers parse it, so the rebuilt page is the tree a reader's browser built.
        self.xml = xml
        if xml:
            check_nesting(html, xml=True)
        self.soup = BeautifulSoup(html, "xml") if xml else parse_html5(html)
        if xml:  # the XML parser builds any depth (one more: a fragment's root of its own)
            _check_depth(self.soup, MAX_DEPTH + 1)
        self.whole = not xml and is_document(html)
        # Bytes that are all ASCII read the same in any encoding a browser may guess for them.
        self._ascii = html.isascii()
        self._block_memo: dict[int, bool] = {}
        self._pair_memo: dict[int, bool] = {}
        self._written: dict[int, int] = {}  # per parent: where the run written last there ends
        self.segments: list[Segment] = []
        self._collect_units(self.soup)
        self._collect_attributes()

    def encode(self, encoding: str) -> bytes:
        """The page as bytes: in `encoding` (the page's own) when the page declares it and every
        character fits, else UTF-8 declared by its <meta> or, failing one, a byte-order mark. A
        fragment that declares nothing stays in its own encoding, with character references for
        what does not fit: that reads right both alone and inside the page it is made for."""
        declared = declared_charset(self.soup)
        if not declared and not self.whole:
            own = "ascii" if self._ascii else encoding
            return self.render().encode(own, errors="xmlcharrefreplace")
        if declared and same_encoding(declared, encoding):
            try:
                return self.render().encode(encoding)
            except UnicodeEncodeError:
                pass
        mark = "\ufeff" if not declare_utf8(self.soup) and self.whole else ""
        return (mark + self.render()).encode("utf-8")

    def render(self) -> str:
        """Serialise the (possibly translated) tree, its charset declaration as it stands."""
        if not self.xml:
            return serialize(self.soup.contents)
        body = "".join(_render(node) for node in self.soup.contents)
        return f'<?xml version="1.0" encoding="utf-8"?>\n{body}'

    # --- classification -------------------------------------------------------------------
    def _has_block(self, tag: Tag) -> bool:
        """Whether a block lies anywhere under `tag` (each subtree judged once, no recursion)."""
        if id(tag) not in self._block_memo:
            below, stack = [], [tag]
            while stack:
                node = stack.pop()
                if id(node) not in self._block_memo:
                    below.append(node)
                    stack.extend(c for c in node.contents if isinstance(c, Tag))
            for node in reversed(below):  # every child is judged before its parent
                self._block_memo[id(node)] = any(
                    isinstance(c, Tag) and (self._is_block(c) or self._block_memo[id(c)])
                    for c in node.contents
                )
        return self._block_memo[id(tag)]

    def _is_block(self, tag: Tag) -> bool:
        name = tag.name.lower()
        if _no_translate(tag) or name in ATOMIC:
            return False
        return name not in INLINE or self._has_block(tag)

    def _in_run(self, node: PageElement) -> bool:
        """Inline content joins a run; blocks, skipped and untranslatable blocks break it."""
        if not isinstance(node, Tag):
            return True
        name = node.name.lower()
        if name in SKIP:
            return False
        if _no_translate(node):
            return name in INLINE or name in ATOMIC
        return not self._is_block(node)

    # --- units ----------------------------------------------------------------------------
    def _collect_units(self, container: Tag) -> None:
        run: list[PageElement] = []
        for child in list(container.contents):
            if self._in_run(child):
                run.append(child)
                continue
            self._add_run(container, run)
            run = []
            if (
                isinstance(child, Tag)
                and child.name.lower() not in SKIP
                and not _no_translate(child)
            ):
                self._collect_units(child)
        self._add_run(container, run)

    def _add_run(self, parent: Tag, run: list[PageElement]) -> None:
        if not run:
            return
        ctx = _Context()
        nodes = self._inline(run, ctx)
        if not has_letters(nodes):
            return
        writer = _RunWriter(parent, run, ctx, nodes, self._written)
        self.segments.append(Segment(nodes, writer))

    def _inline(self, elements: list[PageElement], ctx: _Context) -> list[Node]:
        out: list[Node] = []
        for element in elements:
            if _is_text(element):
                for node, piece in split_keep(str(element), ctx.ref):
                    out.append(node)
                    if piece is not None:
                        ctx.nodes[node.ref] = piece  # type: ignore[union-attr]
            elif isinstance(element, Tag) and self._is_pair(element):
                ref = ctx.ref()
                ctx.nodes[ref] = element
                out.append(
                    Pair(
                        ref,
                        _LETTERS.get(element.name.lower(), "g"),
                        self._inline(list(element.contents), ctx),
                    )
                )
            else:
                ref = ctx.ref()
                ctx.nodes[ref] = element
                out.append(Atom(ref))
        return _merge_texts(out)

    def _is_pair(self, tag: Tag) -> bool:
        """An inline element with words of its own to translate, judged once per element (each
        judgement used to build its subtree again: twice the work per level of nesting)."""
        key = id(tag)
        if key not in self._pair_memo:
            inline = tag.name.lower() in INLINE and not _no_translate(tag)
            self._pair_memo[key] = inline and self._has_words(tag)
        return self._pair_memo[key]

    def _has_words(self, tag: Tag) -> bool:
        """Whether `_inline` would find letters in text under `tag`, outside kept pieces."""
        for child in tag.contents:
            if _is_text(child):
                if has_letters([node for node, _ in split_keep(str(child), _Context().ref)]):
                    return True
            elif isinstance(child, Tag) and self._is_pair(child):
                return True
        return False

    # --- attributes -----------------------------------------------------------------------
    def _collect_attributes(self) -> None:
        for tag in self.soup.find_all(True):
            if any(
                p.name in SKIP or _no_translate(p)
                for p in [tag, *tag.parents]
                if isinstance(p, Tag)
            ):
                continue
            for name in TRANSLATED_ATTRIBUTES:
                value = tag.get(name)
                if isinstance(value, str) and has_letters([Text(value)]):
                    self.segments.append(
                        Segment([Text(value)], _AttributeWriter(tag, name), kind="attribute")
                    )


@dataclass
class _AttributeWriter:
    tag: Tag
    name: str

    def __call__(self, nodes: list[Node]) -> None:
        self.tag[self.name] = text_of(nodes)


@dataclass
class _RunWriter:
    """Replaces a run of inline nodes with a translation, using only the source's own nodes."""

    parent: Tag
    run: list[PageElement]
    ctx: _Context
    source: list[Node]
    written: dict[int, int]

    def __call__(self, nodes: list[Node]) -> None:
        raw = "".join(str(n) if _is_text(n) else "\0" for n in self.run)
        lead = raw[: len(raw) - len(raw.lstrip(WHITESPACE))].replace("\0", "")
        trail = raw[len(raw.rstrip(WHITESPACE)) :].replace("\0", "")
        index = self._index()
        links = detach(self.run)
        built: list[PageElement] = [NavigableString(lead)] if lead else []
        texts = self._source_texts(_strip_edges(self.source), 0, True, True)
        built += self._build(_strip_edges(nodes), texts)
        built += [NavigableString(trail)] if trail else []
        self.parent.contents[index : index + len(self.run)] = built
        attach(self.parent, built, links)
        self.written[id(self.parent)] = index + len(built)

    def _index(self) -> int:
        """Where the run starts among its parent's children, looked for from where the last run
        written there ended: runs are written in document order, so a parent of 100,000 runs is
        read once, not once per run."""
        contents, first = self.parent.contents, self.run[0]
        start = self.written.get(id(self.parent), 0)
        for begin, end in ((start, len(contents)), (0, start)):
            for index in range(begin, end):
                if contents[index] is first:
                    return index
        raise ValueError("a run of the source is not in its parent any more")

    def _source_texts(
        self, nodes: list[Node], parent: int, first: bool, last: bool
    ) -> dict[tuple[int, int], tuple[str, str]]:
        """Map (parent ref, position) of each source text to (what the model saw, exact source)."""
        out: dict[tuple[int, int], tuple[str, str]] = {}
        for i, node in enumerate(nodes):
            if isinstance(node, Pair):
                out.update(self._source_texts(node.children, node.ref, False, False))
            elif isinstance(node, Text):
                seen, exact = collapse(node.value), node.value
                if first and i == 0:
                    seen, exact = seen.lstrip(WHITESPACE), exact.lstrip(WHITESPACE)
                if last and i == len(nodes) - 1:
                    seen, exact = seen.rstrip(WHITESPACE), exact.rstrip(WHITESPACE)
                out[(parent, i)] = (seen, exact)
        return out

    def _build(
        self, nodes: list[Node], texts: dict[tuple[int, int], tuple[str, str]], parent: int = 0
    ) -> list[PageElement]:
        # Text the model left as it was keeps its exact source whitespace, so an echo rebuilds
        # the very same tree; everything else is new text, only ever inserted as text.
        out: list[PageElement] = []
        for i, node in enumerate(nodes):
            if isinstance(node, Text):
                seen, exact = texts.get((parent, i), (None, ""))
                value = exact if node.value == seen else node.value
                if value:
                    out.append(NavigableString(value))
                continue
            source = self.ctx.nodes[node.ref]
            if not isinstance(source, PageElement):
                out.append(NavigableString(source))
            elif isinstance(node, Pair):
                assert isinstance(source, Tag)
                for index in reversed(range(len(source.contents))):  # clear(), from the end
                    source.contents[index].extract(_self_index=index)
                source.extend(self._build(node.children, texts, node.ref))
                out.append(source.extract())
            else:
                out.append(source.extract())
        return out


def _strip_edges(nodes: list[Node]) -> list[Node]:
    """Drop whitespace at the very start and end of a model's answer (the source's is restored)."""
    nodes = list(nodes)
    if nodes and isinstance(nodes[0], Text):
        nodes[0] = Text(nodes[0].value.lstrip(WHITESPACE))
    if nodes and isinstance(nodes[-1], Text):
        nodes[-1] = Text(nodes[-1].value.rstrip(WHITESPACE))
    return [
        n
        for i, n in enumerate(nodes)
        if not (isinstance(n, Text) and not n.value and i in (0, len(nodes) - 1))
    ]


def _merge_texts(nodes: list[Node]) -> list[Node]:
    """Join adjacent texts, so positions match a model's answer, which cannot tell them apart."""
    out: list[Node] = []
    for node in nodes:
        if isinstance(node, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].value + node.value)
        else:
            out.append(node)
    return out


def _render(node: PageElement) -> str:
    # bs4 writes a newline after a doctype; the source had none, so a round trip would add one.
    if isinstance(node, Doctype):
        return f"<!DOCTYPE {node}>"
    if isinstance(node, Tag):
        return node.decode(eventual_encoding=None)  # type: ignore[arg-type]  # keep meta charset
    assert isinstance(node, NavigableString)
    return node.output_ready(formatter="minimal")
