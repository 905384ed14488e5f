"""The tree a browser builds from HTML (html5lib, the HTML5 parsing algorithm), for fidelity tests.

html5lib 1.1 follows the spec of 2013 in two places where the spec, browsers and lexbor have moved on;
`BrowserParser` brings those two up to date, so that the oracle is a browser's parse (both checked
against Chromium's DOMParser):
- whitespace in a table cell or caption reconstructs the active formatting elements, as in <body>
  (html5lib inserts it bare): `<table><td><ul><i/></ul>\n` puts the newline in an <i>;
- an end tag for a formatting element that Noah's Ark dropped from the list of active formatting
  elements pops that element (adoption agency step 2), rather than closing an outer one of the same
  name: `<i><ul><i a><i a><i a><i a></i></i></i></i></ul></i>` keeps the four inner <i> nested.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import html5lib
from html5lib.constants import namespaces
from html5lib.html5parser import getPhases

from dragoman.chains.markup.html import TRANSLATED_ATTRIBUTES
from dragoman.chains.markup.html5 import is_document

# Elements whose text must survive translation exactly (code, and text that is not prose).
VERBATIM = {"code", "pre", "kbd", "samp", "script", "style", "textarea"}
_WALK = html5lib.getTreeWalker("etree")
# The end tags the adoption agency handles (https://html.spec.whatwg.org/#adoption-agency-algorithm).
_FORMATTING = {
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
}  # fmt: skip


class BrowserParser(html5lib.HTMLParser):  # type: ignore[misc]
    """html5lib's HTML5 parser into an etree, with its two departures from the spec corrected."""

    def __init__(self) -> None:
        super().__init__(tree=html5lib.getTreeBuilder("etree"))
        phases = getPhases(False)

        class InBody(phases["inBody"]):  # type: ignore[misc,name-defined]
            __slots__ = ()

            def processEndTag(self, token: dict[str, Any]) -> Any:  # noqa: N802
                current = self.tree.openElements[-1]
                if (
                    token["name"] in _FORMATTING
                    and current.name == token["name"]
                    and current.namespace == namespaces["html"]
                    and current not in self.tree.activeFormattingElements
                ):
                    self.tree.openElements.pop()
                    return None
                return super().processEndTag(token)

        def in_body_whitespace(phase: type) -> type:
            class Fixed(phase):  # type: ignore[misc,valid-type]
                __slots__ = ()

                def processSpaceCharacters(self, token: dict[str, Any]) -> Any:  # noqa: N802
                    return self.parser.phases["inBody"].processSpaceCharacters(token)

            return Fixed

        self.phases["inBody"] = InBody(self, self.tree)
        for name in ("inCell", "inCaption"):
            self.phases[name] = in_body_whitespace(phases[name])(self, self.tree)


def browser_tree(
    html: str | bytes, like: str | None = None, text: bool = True, encoding: str | None = None
) -> list[Any]:
    """The token stream of the tree a browser builds from `html` (text merged, comments kept).

    Bytes are decoded the way a browser does (byte-order mark, then <meta> charset, then
    windows-1252), or as `encoding` when given; `like` is the source whose kind (document or
    fragment) decides the parse. With `text=False`, translatable parts drop out: text outside
    VERBATIM elements, and the translated attributes. Which charset a <meta> names is left out:
    a page written in another encoding says so there.
    """
    parser = BrowserParser()
    # A decoder drops the byte-order mark; html5lib reads one left in a string as text.
    decoded = html.removeprefix("\ufeff") if isinstance(html, str) else None
    html = decoded if decoded is not None else html
    if is_document(like if like is not None else decoded or ""):
        if decoded is None:
            parser.parse(html, useChardet=False, override_encoding=encoding)
        else:
            parser.parse(html)
        root = parser.tree.document._element
    else:
        root = parser.parseFragment(html, container="body")
    out: list[Any] = []
    stack: list[str] = []
    for token in _WALK(root):
        kind = token["type"]
        if kind in ("StartTag", "EmptyTag"):
            attrs = {
                name: value
                for (_, name), value in token["data"].items()
                if text or name not in TRANSLATED_ATTRIBUTES
            }
            if token["name"] == "meta":
                attrs = _without_charset(attrs)
            out.append((kind, token["namespace"], token["name"], attrs))
            stack.append(token["name"])
        if kind in ("EndTag", "EmptyTag"):
            out.append(("EndTag", token["name"]))
            stack.pop()
        elif kind in ("Characters", "SpaceCharacters"):
            if text or VERBATIM.intersection(stack):
                if out and out[-1][0] == "Text":
                    out[-1] = ("Text", out[-1][1] + token["data"])
                else:
                    out.append(("Text", token["data"]))
        elif kind in ("Comment", "Doctype"):
            out.append(tuple(sorted(token.items())))
    return out


def _without_charset(attrs: dict[str, str]) -> dict[str, str]:
    if "charset" in attrs:
        return {**attrs, "charset": "*"}
    if attrs.get("http-equiv", "").lower() == "content-type":
        return {
            **attrs,
            "content": re.sub(r"(?i)charset\s*=\s*[^\s;]+", "charset=*", attrs.get("content", "")),
        }
    return attrs


def echo_round_trip(source: str) -> tuple[Any, str]:
    """Parse `source`, apply every segment's own text as its answer; return doc and untouched render."""
    from dragoman.chains.markup.html import HtmlDocument

    doc = HtmlDocument(source)
    untouched = HtmlDocument(source).render()
    answer_every_segment(doc.segments, lambda text: text)
    return doc, untouched


def answer_every_segment(segments: list[Any], answer: Callable[[str], str]) -> None:
    """Apply `answer(text)` to each segment, straight through (no model, no event loop)."""
    from dragoman.chains.translate.validate import check_answer

    for segment in segments:
        segment.put(check_answer(segment.nodes, segment.text, answer(segment.text)))


def xml_tree(fragment: str, namespace: str = "http://www.w3.org/1999/xhtml") -> Any:
    """The tree an XML parser builds from a fragment read inside a root of `namespace`, as the
    userscript reads an answer: names qualified by namespace, attributes as a dict, text and
    tails kept; namespace declarations are not part of it, redundant or not.

    The standard library's parser, so that the oracle does not move with the lxml Dragoman uses.
    """
    from xml.etree import ElementTree

    def node(element: ElementTree.Element) -> tuple[Any, ...]:
        children = tuple(node(child) for child in element)
        return (element.tag, element.attrib, element.text or "", children, element.tail or "")

    return node(ElementTree.fromstring(f'<root xmlns="{namespace}">{fragment}</root>'))
