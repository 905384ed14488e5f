"""HTML as browsers read it: the HTML5 parsing algorithm (lexbor) into a BeautifulSoup tree, and
the HTML5 serialisation of that tree, so that a browser builds the same tree from the output.

lexbor does the parsing (unclosed `<p>`, misnested inline tags, duplicate attributes, `<a/>` on
non-void elements, content before `<body>`); the tree is copied into BeautifulSoup, whose API the
segmentation works on. lexbor does not expose namespaces, so they are inferred from the tree the
way the parser chose them: an element is foreign when its parent is, unless the parent is an HTML
integration point.
"""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup, Comment, Doctype, NavigableString, PageElement, Tag
from bs4.builder import HTMLTreeBuilder
from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..errors import NestedTooDeeply

HTML, SVG, MATH = (
    "http://www.w3.org/1999/xhtml",
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/1998/Math/MathML",
)
# https://html.spec.whatwg.org/multipage/parsing.html#serialising-html-fragments
VOID = {
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input",
    "keygen", "link", "meta", "param", "source", "track", "wbr",
}  # fmt: skip
# Text in these is written as it is; parsing (scripting off, as lexbor and html5lib do) keeps it so.
RAW_TEXT = {"style", "script", "xmp", "iframe", "noembed", "noframes", "plaintext"}
# The parser drops one newline right after these start tags, so a leading one is written twice.
LEADING_NEWLINE = {"pre", "textarea", "listing"}
_SVG_HTML_POINTS = {"foreignObject", "desc", "title"}
_MATH_TEXT_POINTS = {"mi", "mo", "mn", "ms", "mtext"}
# Only whitespace, comments and bogus comments (`<?xml …?>`) may come before a doctype. What
# comes before is read once (`*+`): backtracking into it tried every way of splitting the spaces,
# so 40 spaces before a bogus comment this does not know (`<!x>`) took a day.
_DOCTYPE = re.compile(r"(?:\s+|<!--.*?-->|<\?[^>]*>)*+<!doctype([^>]*)>", re.I | re.S)
# Markers of a whole document; anything else is a fragment, parsed in the context of <body>.
_DOCUMENT = re.compile(r"<!doctype|<(?:html|head|body)[\s/>]", re.I)
# A carriage return in the tree came from `&#13;` (the parser turns a literal one into a newline),
# so it is written back as a reference.
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", '"': "&quot;", "\r": "&#13;"})


# Elements inside each other at most: libxml2's default limit. Real pages stay far below it (a
# forum's quote chains reach a few dozen); a document beyond it is hostile or broken, and
# following it down would run out of stack in every tree walk.
MAX_DEPTH = 256
# Parsers check each new tag against the elements still open, so a document nested 100,000 deep
# costs lexbor a minute and the XML parser six: such a text is refused from a scan of its tags
# before either runs. Elements whose end tag HTML may leave out close by themselves, and void
# elements have none: neither counts. The margin keeps misnested but real pages well clear.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]*?(/?)>")
_SELF_CLOSING = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr", "p", "li", "dd", "dt", "option", "optgroup", "tr", "td", "th", "thead",
    "tbody", "tfoot", "rp", "rt", "colgroup", "caption", "head", "body", "html",
}  # fmt: skip


_FOREIGN = {"svg", "math"}


def check_nesting(markup: str, xml: bool = False) -> None:
    """Refuse markup whose tags open far deeper than MAX_DEPTH, before any parser sees it.

    Read as the parser will: in HTML `<div/>` opens a div (only SVG and MathML close with
    `/>`), and an end tag closes its element and those opened after it, or nothing when that
    element is not open (a stray one never lowers the depth). Each element is opened and closed
    once, so the scan is linear however the tags are arranged."""
    most = MAX_DEPTH + 1 if xml else 4 * MAX_DEPTH
    stack: list[str] = []
    open_by_name: dict[str, int] = {}
    foreign = 0  # open <svg> and <math> elements
    for closing, tag, empty in _TAG.findall(markup):
        name = tag if xml else tag.lower()
        if not xml and name in _SELF_CLOSING:
            continue
        if closing:
            if open_by_name.get(name, 0) == 0:
                continue
            while True:
                top = stack.pop()
                open_by_name[top] -= 1
                foreign -= top in _FOREIGN
                if top == name:
                    break
        elif not (empty and (xml or foreign)):
            stack.append(name)
            open_by_name[name] = open_by_name.get(name, 0) + 1
            foreign += name in _FOREIGN
            if len(stack) > most:
                raise NestedTooDeeply(MAX_DEPTH + 1)


def is_document(html: str) -> bool:
    """Whether `html` is a whole document (doctype, <html>, <head> or <body>), not a fragment."""
    return _DOCUMENT.search(html) is not None


def parse_html5(html: str) -> BeautifulSoup:
    """Parse `html` as a browser does: a document, or a fragment in the context of <body>."""
    html = html.removeprefix("\ufeff")
    check_nesting(html)
    fragment = not is_document(html)
    builder = _LexborTreeBuilder(fragment)
    return BeautifulSoup(html, builder=builder)


class _LexborTreeBuilder(HTMLTreeBuilder):
    """Feeds BeautifulSoup the tree lexbor built, attribute values kept as the exact strings."""

    NAME = "lexbor"
    features = [NAME]

    def __init__(self, fragment: bool) -> None:
        # No multi-valued attributes: `class="a  b"` stays that exact string.
        super().__init__(multi_valued_attributes={}, store_line_numbers=False)
        self.fragment = fragment

    def prepare_markup(self, markup: Any, *args: Any, **kwargs: Any) -> Any:
        yield markup, None, None, False

    def feed(self, markup: Any) -> None:
        assert self.soup is not None and isinstance(markup, str)
        parser = LexborHTMLParser(markup, is_fragment=self.fragment, fragment_tag="body")
        first = parser.root
        if first is not None and first.parent is not None and not self.fragment:
            first = first.parent.first_child  # the document node: doctype and outer comments
        _Copier(self.soup, markup).siblings(first, HTML, "", 0)


class _Copier:
    def __init__(self, soup: BeautifulSoup, source: str) -> None:
        self.soup = soup
        self.source = source
        self.containers = soup.builder.string_containers

    def siblings(self, node: LexborNode | None, namespace: str, parent: str, depth: int) -> None:
        container = self.containers.get(parent, NavigableString) if namespace == HTML else None
        while node is not None:
            tag = node.tag
            if tag == "-text":
                text = node.text_content or ""
                self.soup.object_was_parsed((container or NavigableString)(text))
            elif tag == "-comment":
                self.soup.object_was_parsed(Comment(_comment(node)))
            elif tag == "-doctype":
                self.soup.object_was_parsed(Doctype(self._doctype(node)))
            elif node.is_element_node and tag:
                self.element(node, tag, namespace, parent, depth + 1)
            node = node.next

    def element(self, node: LexborNode, name: str, namespace: str, parent: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise NestedTooDeeply(depth)
        namespace = _child_namespace(name, namespace, parent, self.soup.currentTag)
        attrs = {k: v or "" for k, v in node.attributes.items()}
        self.soup.handle_starttag(name, None if namespace == HTML else namespace, None, attrs)
        children = node.first_child
        if name == "template" and namespace == HTML:
            children = next(iter(node.template_fragments()), None)
            children = children.first_child if children is not None else None
        self.siblings(children, namespace, name, depth)
        self.soup.handle_endtag(name)

    def _doctype(self, node: LexborNode) -> str:
        # lexbor writes only the name; public and system ids decide quirks mode, so keep them.
        found = _DOCTYPE.match(self.source)
        return found.group(1).strip() if found else (node.html or "")[10:-1]


def _comment(node: LexborNode) -> str:
    # comment_content strips whitespace, and a fragment's top-level comment writes its siblings
    # too; a detached copy writes exactly `<!--data-->`.
    return (node.clone().html or "<!---->")[4:-3]


def _child_namespace(name: str, namespace: str, parent: str, parent_tag: Tag | None) -> str:
    """The namespace the parser gave an element, from its own name and its parent's."""
    if name == "svg" and namespace != SVG:
        return SVG
    if name == "math" and namespace != MATH:
        return MATH
    if namespace == SVG and parent in _SVG_HTML_POINTS:
        return HTML
    if namespace == MATH and parent in _MATH_TEXT_POINTS and name not in ("mglyph", "malignmark"):
        return HTML
    if namespace == MATH and parent == "annotation-xml":
        encoding = str(parent_tag.get("encoding") or "").lower() if parent_tag else ""
        return HTML if encoding in ("text/html", "application/xhtml+xml") else MATH
    return namespace


def serialize(nodes: list[PageElement]) -> str:
    """Serialise nodes by the HTML5 rules, so that parsing the output rebuilds the same tree."""
    out: list[str] = []
    _write(nodes, None, out)
    return "".join(out)


def _write(nodes: list[PageElement], parent: Tag | None, out: list[str]) -> None:
    raw = parent is not None and _is_html(parent) and parent.name in RAW_TEXT
    for node in nodes:
        if isinstance(node, Tag):
            _write_element(node, out)
        elif isinstance(node, Comment):
            out.append(f"<!--{node}-->")
        elif isinstance(node, Doctype):
            out.append(f"<!DOCTYPE {node}>")
        else:
            out.append(str(node) if raw else str(node).translate(_TEXT_ESCAPES))


def _write_element(tag: Tag, out: list[str]) -> None:
    out.append(f"<{tag.name}")
    for name, value in tag.attrs.items():
        text = " ".join(value) if isinstance(value, list) else str(value)
        out.append(f' {name}="{text.translate(_ATTRIBUTE_ESCAPES)}"')
    out.append(">")
    html = _is_html(tag)
    if html and tag.name in VOID:
        return
    first = tag.contents[0] if tag.contents else None
    if html and tag.name in LEADING_NEWLINE and type(first) is NavigableString:
        out.append("\n" if first.startswith("\n") else "")
    _write(tag.contents, tag, out)
    out.append(f"</{tag.name}>")


def _is_html(tag: Tag) -> bool:
    return tag.namespace in (None, HTML)
