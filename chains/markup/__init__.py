"""Markup-preserving segmentation: formats become segments with placeholders, and are rebuilt from
the source tree with translated text.

A segment is a sequence of inline nodes: `Text`, `Pair` (an inline element such as a link, shown
to the model as `<a1>…</a1>`) and `Atom` (something kept as it is, such as code or a URL, shown as
`<x2/>`). The model only ever sees these placeholders, never a tag, attribute or URL.
"""

from ..errors import MarkupMismatch
from .dtd import declares_own_dtd
from .html import HtmlDocument
from .html5 import parse_html5, serialize
from .inline import Node, text_of
from .segment import Document, Segment

__all__ = [
    "Document", "HtmlDocument", "MarkupMismatch", "Node", "Segment", "declares_own_dtd",
    "parse_html5", "serialize", "text_of",
]  # fmt: skip
