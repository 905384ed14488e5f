"""The tree Chromium's own HTML parser builds (DOMParser: no scripts run), for fidelity tests."""

from __future__ import annotations

import base64
import json
from typing import Any

import html5lib

from dragoman.chains.markup.html import TRANSLATED_ATTRIBUTES
from tests.trees import VERBATIM

# Every node in document order: elements with namespace and attributes, comments, doctype, text.
# With text false, translatable parts drop out: the translated attributes, and text outside the
# verbatim elements. As in tests/trees.py, which charset a <meta> names is left out.
DOM_TREE = """([html, text]) => {
  const doc = new DOMParser().parseFromString(html, "text/html");
  const skip = new Set(TRANSLATED_ATTRIBUTES);
  const verbatim = new Set(VERBATIM);
  const charset = /(charset\\s*=\\s*)[^\\s;]+/i;
  const value = (el, a) => {
    if (el.localName !== "meta") return a.value;
    if (a.name === "charset") return "*";
    const typed = (el.getAttribute("http-equiv") || "").toLowerCase() === "content-type";
    return typed && a.name === "content" ? a.value.replace(charset, "charset=*") : a.value;
  };
  const out = [];
  const walk = (node, kept) => {
    for (const c of node.childNodes) {
      if (c.nodeType === 1) {
        const attrs = Array.from(c.attributes).filter((a) => text || !skip.has(a.name));
        out.push(["<", c.namespaceURI, c.localName, attrs.map((a) => [a.name, value(c, a)])]);
        walk(c.localName === "template" ? c.content : c, kept || verbatim.has(c.localName));
        out.push([">"]);
      } else if (c.nodeType === 8) out.push(["#", c.data]);
      else if (c.nodeType === 10) out.push(["!", c.name, c.publicId, c.systemId]);
      else if (c.nodeType === 3 && (text || kept)) out.push(["t", c.data]);
    }
  };
  walk(doc, false);
  return out;
}""".replace("TRANSLATED_ATTRIBUTES", json.dumps(sorted(TRANSLATED_ATTRIBUTES))).replace(
    "VERBATIM", json.dumps(sorted(VERBATIM))
)

# Two pages given as bytes (base64) and the encoding a browser reads each in, decoded by Chromium
# itself and compared there: null when the trees are equal, else the first difference and the
# nodes before it. Trees of large pages cost more to carry back to Python than to build.
SAME_TREE = """([before, after, text]) => {
  const tree = DOM_TREE;
  const read = ([data, encoding]) =>
    new TextDecoder(encoding).decode(Uint8Array.from(atob(data), (c) => c.charCodeAt(0)));
  const [a, b] = [tree([read(before), text]), tree([read(after), text])];
  const same = (x, y) => JSON.stringify(x) === JSON.stringify(y);
  const at = a.findIndex((node, i) => !same(node, b[i]));
  const first = at >= 0 ? at : a.length === b.length ? -1 : a.length;
  if (first < 0) return null;
  return { index: first, before: a.slice(Math.max(0, first - 3), first + 1),
           after: b.slice(Math.max(0, first - 3), first + 1) };
}""".replace("DOM_TREE", DOM_TREE)


def as_read(data: bytes, transport: str | None = None) -> list[str]:
    """Bytes and the encoding a browser reads them in: a byte-order mark, else `transport` (an HTTP
    header's charset), else a <meta> in the first 1024 bytes or, changing the encoding while
    parsing, later in <head>, else windows-1252 (html5lib runs the spec's steps)."""
    parser = html5lib.HTMLParser()
    parser.parse(data, useChardet=False, transport_encoding=transport)
    return [base64.b64encode(data).decode("ascii"), parser.documentEncoding]


def first_difference(tab: Any, before: list[str], after: list[str], text: bool) -> Any:
    """Where Chromium's trees of two pages (as `as_read` gives them) first differ, or None."""
    return tab.evaluate(SAME_TREE, [before, after, text])
