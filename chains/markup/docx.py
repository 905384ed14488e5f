"""Word documents: each paragraph a segment; formatted runs and links become placeholders.

Word splits text into runs arbitrarily; adjacent runs with the same formatting are merged, the
paragraph's most common formatting is plain text, and any other formatting (bold, italic, a
link) is a pair the model keeps around the words it marks. Runs holding anything but text
(tabs, breaks, pictures, fields) are kept as they are.
"""

from __future__ import annotations

import copy
import io
import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from docx import Document as open_docx
from docx.oxml.ns import qn
from lxml import etree

from ..errors import InputError
from .archive import ArchiveLimits, open_archive
from .dtd import check_doctypes
from .inline import Atom, Node, Pair, Text, has_letters, text_of
from .segment import Segment

_TEXT_ONLY = {qn("w:rPr"), qn("w:t"), qn("w:lastRenderedPageBreak")}
_LETTER = {qn("w:b"): "b", qn("w:i"): "i", qn("w:u"): "u"}


def _run_text(run: Any) -> str:
    return "".join(t.text or "" for t in run.iter(qn("w:t")))


def _format_key(run: Any) -> str:
    props = run.find(qn("w:rPr"))
    return "" if props is None else etree.tostring(props).decode()


def _is_text_run(run: Any) -> bool:
    return run.tag == qn("w:r") and all(child.tag in _TEXT_ONLY for child in run)


def _set_text(run: Any, text: str) -> None:
    for child in list(run):
        if child.tag != qn("w:rPr"):
            run.remove(child)
    t = etree.SubElement(run, qn("w:t"))
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = text


@dataclass
class _Paragraph:
    """The modelled children of one w:p and the source element behind each ref."""

    element: Any
    children: list[Any] = field(default_factory=list)
    groups: dict[int, list[Any]] = field(default_factory=dict)
    template: Any = None


def _groups(p: Any) -> list[tuple[str, list[Any]]]:
    """Runs and links of a paragraph as (kind, elements), adjacent same-format text runs merged."""
    out: list[tuple[str, list[Any]]] = []
    for child in p:
        if child.tag == qn("w:hyperlink"):
            out.append(("link", [child]))
        elif child.tag == qn("w:r") and _is_text_run(child):
            key = "text:" + _format_key(child)
            if out and out[-1][0] == key:
                out[-1][1].append(child)
            else:
                out.append((key, [child]))
        elif child.tag == qn("w:r"):
            out.append(("atom", [child]))
    return out


class DocxDocument:
    """A .docx file split into paragraph segments."""

    def __init__(self, data: bytes, limits: ArchiveLimits) -> None:
        with open_archive(data, ".docx", limits) as archive:  # judged before python-docx reads it
            check_doctypes(archive, ".docx", external_dtd=False)
        try:
            self._doc = open_docx(io.BytesIO(data))
        except Exception as exc:  # python-docx raises many kinds for a file that is not a .docx
            raise InputError(f"not a readable .docx file ({type(exc).__name__})") from None
        self.segments: list[Segment] = []
        parts = [self._doc.element.body]
        for section in self._doc.sections:
            for part in (section.header, section.footer):
                if not part.is_linked_to_previous:
                    parts.append(part._element)
        for root in parts:
            for p in root.iter(qn("w:p")):
                self._add(p)

    def _add(self, p: Any) -> None:
        groups = _groups(p)
        lengths: Counter[str] = Counter()
        for kind, elements in groups:
            if kind.startswith("text:"):
                lengths[kind] += sum(len(_run_text(r)) for r in elements)
        plain = lengths.most_common(1)[0][0] if lengths else ""
        para = _Paragraph(p, [e for _, els in groups for e in els])
        counter = itertools.count(1)
        nodes: list[Node] = []
        for kind, elements in groups:
            if kind == plain:
                nodes.append(Text("".join(_run_text(r) for r in elements)))
                para.template = para.template if para.template is not None else elements[0]
                continue
            ref = next(counter)
            para.groups[ref] = elements
            if kind == "atom":
                nodes.append(Atom(ref))
            elif kind == "link":
                text = "".join(_run_text(r) for r in elements[0].iter(qn("w:r")))
                nodes.append(Pair(ref, "a", [Text(text)]) if text.strip() else Atom(ref))
            else:
                props = elements[0].find(qn("w:rPr"))
                letter = next(
                    (
                        _LETTER[c.tag]
                        for c in (props if props is not None else [])
                        if c.tag in _LETTER
                    ),
                    "g",
                )
                nodes.append(Pair(ref, letter, [Text("".join(_run_text(r) for r in elements))]))
        if not has_letters(nodes):
            return
        self.segments.append(
            Segment(nodes, lambda answer: self._apply(para, answer), kind="paragraph")
        )

    def _apply(self, para: _Paragraph, answer: list[Node]) -> None:
        p = para.element
        # The runs go back after what came before the first of them (children are in document
        # order): placing each by its index walked the paragraph once per run.
        anchor = para.children[0].getprevious()
        for element in para.children:
            p.remove(element)
        template = para.template if para.template is not None else para.children[0]
        built = []
        for node in answer:
            if isinstance(node, Text):
                if node.value:
                    run = copy.deepcopy(template)
                    _set_text(run, node.value)
                    built.append(run)
                continue
            first = para.groups[node.ref][0]
            if isinstance(node, Pair):
                text = text_of(node.children) if node.children else ""
                runs = list(first.iter(qn("w:r"))) if first.tag == qn("w:hyperlink") else [first]
                _set_text(runs[0], _edge_spaces(node, text))
                for extra in runs[1:]:
                    extra.getparent().remove(extra)
            built.append(first)
        for element in built:
            if anchor is None:
                p.insert(0, element)
            else:
                anchor.addnext(element)
            anchor = element

    def to_bytes(self) -> bytes:
        """The document with translated paragraphs."""
        out = io.BytesIO()
        self._doc.save(out)
        return out.getvalue()


def _edge_spaces(pair: Pair, text: str) -> str:
    """Keep a space the model left at the edge of formatted words (Word shows it)."""
    raw = "".join(n.value for n in pair.children if isinstance(n, Text))
    lead = " " if raw[:1].isspace() else ""
    trail = " " if raw[-1:].isspace() else ""
    return f"{lead}{text}{trail}"
