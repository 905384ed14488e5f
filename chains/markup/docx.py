"""Word documents: each paragraph of every story a reader sees a segment; formatted runs,
links and tracked insertions become placeholders.

The stories are the body (with its tables and text boxes), every header and footer, the
footnotes, the endnotes and the comments. Word splits text into runs arbitrarily; adjacent runs
with the same formatting are merged, the paragraph's most common formatting is plain text, and
any other formatting (bold, italic, a link, an insertion) is a pair the model keeps around the
words it marks. What is not text (tabs, breaks, pictures, fields, deleted text, bookmarks and
comment ranges) is kept as it is, in its place among the words.
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
_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
# The parts whose paragraphs a reader sees, by content type.
STORIES = tuple(
    _WML + kind
    for kind in (
        "document.main+xml", "header+xml", "footer+xml", "footnotes+xml", "endnotes+xml",
        "comments+xml",
    )
)  # fmt: skip
# Word 2010's copy of the styles, which it reads before styles.xml.
_STYLES_WITH_EFFECTS = "application/vnd.ms-word.stylesWithEffects+xml"
# Containers of runs whose words are translated in place: a link, a tracked insertion or move.
_CONTAINERS = {qn("w:hyperlink"): "a", qn("w:ins"): "g", qn("w:moveTo"): "g"}
# Zero-width marks between runs: kept where they are, several in a row as one placeholder.
_MARKS = {
    qn(f"w:{name}")
    for name in (
        "bookmarkStart", "bookmarkEnd", "commentRangeStart", "commentRangeEnd", "permStart",
        "permEnd", "proofErr",
    )
}  # fmt: skip


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
    """A paragraph's children as (kind, elements): same-format text runs merged, containers of
    runs (links, insertions) on their own, marks in a row together, anything else an atom."""
    out: list[tuple[str, list[Any]]] = []
    for child in p:
        if child.tag == qn("w:pPr"):
            continue
        if child.tag in _CONTAINERS:
            kind = "container"
        elif child.tag == qn("w:r") and _is_text_run(child):
            kind = "text:" + _format_key(child)
        elif child.tag in _MARKS:
            kind = "marks"
        else:  # a run of a tab, a break, a picture or a field; deleted text; a content control
            out.append(("atom", [child]))
            continue
        if out and out[-1][0] == kind and kind != "container":
            out[-1][1].append(child)
        else:
            out.append((kind, [child]))
    return out


def _split_mixed_runs(parent: Any) -> None:
    """Split each run holding text and something else (a soft line break, a tab) into runs of
    one kind each, so that the text around the break is translated and the break kept."""
    for run in [c for c in parent if c.tag == qn("w:r")]:
        content = [c for c in run if c.tag != qn("w:rPr")]
        if _is_text_run(run) or not any(c.tag == qn("w:t") for c in content):
            continue
        props = run.find(qn("w:rPr"))
        anchor = run
        for child in content:
            piece = etree.Element(qn("w:r"))
            if props is not None:
                piece.append(copy.deepcopy(props))
            piece.append(child)
            anchor.addnext(piece)
            anchor = piece
        parent.remove(run)


def _register_story_parts() -> None:
    """Have python-docx read footnotes and endnotes as XML it writes back (it reads them as
    bytes), through its documented part factory."""
    from docx.opc.part import PartFactory, XmlPart

    for content_type in (_WML + "footnotes+xml", _WML + "endnotes+xml", _STYLES_WITH_EFFECTS):
        PartFactory.part_type_for.setdefault(content_type, XmlPart)


class DocxDocument:
    """A .docx file split into paragraph segments."""

    def __init__(self, data: bytes, limits: ArchiveLimits) -> None:
        with open_archive(data, ".docx", limits) as archive:  # judged before python-docx reads it
            check_doctypes(archive, ".docx", external_dtd=False)
        _register_story_parts()
        try:
            self._doc = open_docx(io.BytesIO(data))
        except Exception as exc:  # python-docx raises many kinds for a file that is not a .docx
            raise InputError(f"not a readable .docx file ({type(exc).__name__})") from None
        self.segments: list[Segment] = []
        self.notes: list[str] = []
        stories = sorted(
            (p for p in self._doc.part.package.iter_parts() if p.content_type in STORIES),
            key=lambda part: (STORIES.index(part.content_type), str(part.partname)),
        )
        for part in stories:
            for p in part.element.iter(qn("w:p")):
                for parent in [p, *(c for c in p if c.tag in _CONTAINERS)]:
                    _split_mixed_runs(parent)
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
            if kind in ("atom", "marks"):
                nodes.append(Atom(ref))
            elif kind == "container":
                text = "".join(_run_text(r) for r in _text_runs(elements[0]))
                letter = _CONTAINERS[elements[0].tag]
                nodes.append(Pair(ref, letter, [Text(text)]) if text.strip() else Atom(ref))
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
            group = para.groups[node.ref]
            first = group[0]
            if isinstance(node, Pair):
                text = text_of(node.children) if node.children else ""
                runs = _text_runs(first) if first.tag in _CONTAINERS else [first]
                _set_text(runs[0], _edge_spaces(node, text))
                for extra in runs[1:]:
                    extra.getparent().remove(extra)
                built.append(first)
            else:
                built += group  # marks in a row go back together
        for element in built:
            if anchor is None:
                p.insert(0, element)
            else:
                anchor.addnext(element)
            anchor = element

    def set_language(self, code: str) -> None:
        """Mark the text as being in `code` for Word's proofing: the default language and each
        run's own (a run marked English would be spell-checked as English)."""
        marked = (*STORIES, _STYLES_WITH_EFFECTS)
        roots = [self._doc.styles.element] + [
            p.element for p in self._doc.part.package.iter_parts() if p.content_type in marked
        ]
        for root in roots:
            for language in root.iter(qn("w:lang")):
                if language.get(qn("w:val")) is not None:
                    language.set(qn("w:val"), code)

    def to_bytes(self) -> bytes:
        """The document with translated paragraphs."""
        out = io.BytesIO()
        self._doc.save(out)
        return out.getvalue()


def _text_runs(container: Any) -> list[Any]:
    """The runs of text in a link or an insertion (not its breaks or fields)."""
    return [r for r in container.iter(qn("w:r")) if _is_text_run(r)]


def _edge_spaces(pair: Pair, text: str) -> str:
    """Keep a space the model left at the edge of formatted words (Word shows it)."""
    raw = "".join(n.value for n in pair.children if isinstance(n, Text))
    lead = " " if raw[:1].isspace() else ""
    trail = " " if raw[-1:].isspace() else ""
    return f"{lead}{text}{trail}"
