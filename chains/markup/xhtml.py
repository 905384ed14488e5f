"""An XHTML fragment: a page's DOM as the browser's XMLSerializer wrote it (the userscript's posts).

A live DOM may hold nesting the HTML parser would never build from its own serialisation, such as
a link inside a link made by the adoption agency. Read as XML, the fragment keeps exactly the
nesting the page holds, so the answer can be matched element by element against it.
"""

from __future__ import annotations

from bs4 import Tag

from .html import HtmlDocument, _render

XHTML = "http://www.w3.org/1999/xhtml"
_ROOT = "dragoman-fragment"


class XhtmlFragment(HtmlDocument):
    """Elements and text in XML syntax, in XHTML's namespace, without a root of their own."""

    def __init__(self, text: str) -> None:
        super().__init__(f'<{_ROOT} xmlns="{XHTML}">{text}</{_ROOT}>', xml=True)

    def render(self) -> str:
        """The fragment in XML syntax, without the root it was parsed in."""
        root = self.soup.find(_ROOT)
        assert isinstance(root, Tag)
        return "".join(_render(node) for node in root.contents)
