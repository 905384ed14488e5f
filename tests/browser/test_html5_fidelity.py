"""Chromium's own HTML parser (DOMParser: no scripts run) builds the same tree from Dragoman's
output as from its input, on a malformed post."""

from __future__ import annotations

from typing import Any

import pytest

from dragoman.chains.markup.html import HtmlDocument
from dragoman.chains.translate import check_answer
from dragoman.services.llm.pseudo import pseudolocalize
from tests.test_markup_html import MALFORMED_POST

# Every node in document order: elements with namespace and attributes, comments, doctype, text.
DOM_TREE = """([html, text]) => {
  const doc = new DOMParser().parseFromString(html, "text/html");
  const skip = new Set(["title", "alt", "placeholder", "aria-label"]);
  const out = [];
  const walk = (node) => {
    for (const c of node.childNodes) {
      if (c.nodeType === 1) {
        const attrs = Array.from(c.attributes).filter((a) => text || !skip.has(a.name));
        out.push(["<", c.namespaceURI, c.localName, attrs.map((a) => [a.name, a.value])]);
        walk(c.localName === "template" ? c.content : c);
        out.push([">"]);
      } else if (c.nodeType === 8) out.push(["#", c.data]);
      else if (c.nodeType === 10) out.push(["!", c.name, c.publicId, c.systemId]);
      else if (c.nodeType === 3 && text) out.push(["t", c.data]);
    }
  };
  walk(doc);
  return out;
}"""


@pytest.fixture(scope="module")
def tab(browser: Any) -> Any:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def pseudo(source: str) -> str:
    # Straight through the segments: Playwright's event loop holds this thread.
    doc = HtmlDocument(source)
    for segment in doc.segments:
        segment.apply(check_answer(segment.nodes, pseudolocalize(segment.text), segment.text))
    return doc.render()


def test_malformed_post_keeps_chromiums_tree(tab: Any) -> None:
    out = pseudo(MALFORMED_POST)
    assert tab.evaluate(DOM_TREE, [out, False]) == tab.evaluate(DOM_TREE, [MALFORMED_POST, False])
