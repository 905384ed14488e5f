"""An EPUB's package document and NCX: the book's title and table-of-contents labels translated
as segments, and its language set to the translation's."""

from __future__ import annotations

import posixpath
import re
import zipfile
from typing import Any

from lxml import etree

from ..errors import InputError
from .inline import Node, Text, text_of
from .segment import Segment

_OPF = "{http://www.idpf.org/2007/opf}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
_CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NCX_TYPE = "application/x-dtbncx+xml"
# The root start tag of an XHTML document, and the language attributes in it.
_HTML_TAG = re.compile(r"<html\b[^>]*>")
_LANG = re.compile(r"(\s(?:xml:)?lang\s*=\s*)([\"'])[^\"']*\2")


def _parse(data: bytes, entry: str) -> Any:
    """An XML entry of the book, read without entities or DTDs (dtd.py refused any already)."""
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{entry!r} in the .epub file is not well-formed XML ({exc})") from None


def _text_segment(element: Any) -> Segment | None:
    """A segment of an element's text, written back as its text."""
    text = element.text or ""
    if not text.strip():
        return None

    def apply(answer: list[Node]) -> None:
        element.text = text_of(answer)

    return Segment([Text(text)], apply, kind="title")


class Package:
    """The package document (OPF) and the NCX of a book, as parsed XML."""

    def __init__(self, book: zipfile.ZipFile) -> None:
        container = _parse(book.read("META-INF/container.xml"), "META-INF/container.xml")
        rootfile = container.find(f".//{_CONTAINER}rootfile")
        if rootfile is None or not rootfile.get("full-path"):
            raise InputError("the .epub file names no package document in its container")
        self.opf_name = rootfile.get("full-path")
        self.opf = _parse(book.read(self.opf_name), self.opf_name)
        self.ncx_name, self.ncx = None, None
        for item in self.opf.iter(f"{_OPF}item"):
            if item.get("media-type") == _NCX_TYPE and item.get("href"):
                name = posixpath.normpath(
                    posixpath.join(posixpath.dirname(self.opf_name), item.get("href"))
                )
                if name in book.namelist():
                    self.ncx_name, self.ncx = name, _parse(book.read(name), name)
                break

    def segments(self) -> list[Segment]:
        """The book's titles and the NCX's labels, each its own segment."""
        elements = list(self.opf.iter(f"{_DC}title"))
        if self.ncx is not None:
            elements += [
                text
                for label in self.ncx.iter(f"{_NCX}docTitle", f"{_NCX}navLabel")
                for text in label.iter(f"{_NCX}text")
            ]
        return [s for s in map(_text_segment, elements) if s is not None]

    def set_language(self, code: str) -> None:
        """Say the book is in `code`: dc:language, and the documents' own language marks."""
        languages = list(self.opf.iter(f"{_DC}language"))
        for language in languages[:1]:  # the first is the book's; more list other languages
            language.text = code
        for root in (self.opf, self.ncx):
            if root is not None and root.get(_XML_LANG) is not None:
                root.set(_XML_LANG, code)

    def entries(self) -> dict[str, bytes]:
        """The package's entries as they are now."""
        out = {self.opf_name: _serialize(self.opf)}
        if self.ncx is not None and self.ncx_name is not None:
            out[self.ncx_name] = _serialize(self.ncx)
        return out


def _serialize(root: Any) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def with_language(xhtml: str, code: str) -> str:
    """An XHTML document whose root says it is in `code` (its `lang` and `xml:lang`)."""
    match = _HTML_TAG.search(xhtml)
    if match is None:
        return xhtml
    tag = _LANG.sub(lambda m: f"{m.group(1)}{m.group(2)}{code}{m.group(2)}", match.group())
    return xhtml[: match.start()] + tag + xhtml[match.end() :]
