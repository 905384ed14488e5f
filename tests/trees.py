"""Comparable views of parsed HTML trees, for round-trip tests."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag

from dragoman.chains.markup.html import SKIP, TRANSLATED_ATTRIBUTES


def tree(node: Any) -> Any:
    """The whole tree: names, attributes and every string (adjacent strings joined)."""
    if isinstance(node, Tag):
        children: list[Any] = []
        for child in node.contents:
            item = tree(child)
            if children and item[0] == "str" and children[-1][0] == "str":
                children[-1] = ("str", children[-1][1] + item[1])
            else:
                children.append(item)
        return (node.name, dict(node.attrs), children)
    kind = "str" if type(node) is NavigableString else type(node).__name__
    return (kind, str(node))


def skeleton(node: Any) -> Any:
    """Elements and their attributes, minus translated attributes and text outside skipped tags."""
    if isinstance(node, Tag):
        attrs = {k: v for k, v in node.attrs.items() if k not in TRANSLATED_ATTRIBUTES}
        if node.name in SKIP:
            return (node.name, attrs, node.decode_contents())
        return (node.name, attrs, [skeleton(c) for c in node.contents if isinstance(c, Tag)])
    return None


def parse_html(html: str) -> BeautifulSoup:
    """Parse as the pipeline does."""
    return BeautifulSoup(html, "html.parser")


def echo_round_trip(source: str) -> tuple[Any, str]:
    """Parse `source`, apply every segment's own text as its answer; return doc and untouched render."""
    from dragoman.chains.markup.html import HtmlDocument
    from dragoman.chains.translate.validate import check_answer

    doc = HtmlDocument(source)
    untouched = HtmlDocument(source).render()
    for segment in doc.segments:
        segment.apply(check_answer(segment.nodes, segment.text, segment.text))
    return doc, untouched
