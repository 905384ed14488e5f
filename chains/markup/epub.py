"""EPUB books: every XHTML document of the book goes through the HTML segmentation.

ebooklib reads the package to find the book's documents; the output is written entry by entry
from the original archive, so everything but the translated chapters stays byte for byte.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from typing import Any

from ..errors import InputError
from .archive import ArchiveLimits, open_archive
from .dtd import check_doctypes
from .html import HtmlDocument
from .package import Package, with_language
from .segment import Segment

# Text drawn in SVG (a fixed-layout page, a figure): placed glyph by glyph, so a translation has
# nowhere to go. Such text is reported, never counted as translated.
_SVG_TEXT = re.compile(r"<(?:svg:)?text\b[^>]*>(.*?)</(?:svg:)?text>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def _read_book(data: bytes) -> Any:
    from ebooklib import epub

    try:
        with warnings.catch_warnings():  # ebooklib warns about options it will change
            warnings.simplefilter("ignore")
            return epub.read_epub(io.BytesIO(data), {"ignore_ncx": True})
    except Exception as exc:  # a broken zip or package document: many kinds
        raise InputError(f"not a readable .epub file ({type(exc).__name__})") from None


def _document_names(book: Any) -> list[str]:
    import ebooklib

    documents = list(book.get_items_of_type(ebooklib.ITEM_DOCUMENT))
    # An EPUB 3 navigation document is XHTML too (ebooklib files it under navigation).
    documents += [
        item
        for item in book.get_items_of_type(ebooklib.ITEM_NAVIGATION)
        if item.media_type == "application/xhtml+xml"
    ]
    return [item.file_name for item in documents]


def _svg_pages(book: Any) -> list[str]:
    """The SVG documents a reader pages through (a fixed-layout book's pages)."""
    spine = {idref for idref, _ in book.spine}
    svg = [item for item in book.get_items() if item.media_type == "image/svg+xml"]
    return [item.file_name for item in svg if item.id in spine]


def svg_text(markup: str) -> int:
    """How many characters of text `markup` draws in SVG."""
    return sum(len(_TAG.sub("", m.group(1)).strip()) for m in _SVG_TEXT.finditer(markup))


def _is_document(entry: str, names: set[str]) -> bool:
    """Whether an entry is one of the book's documents, named from the package's folder: each
    end of its path is looked up, not each name compared (10,000 of both took 6 s)."""
    return entry in names or any(
        entry[at + 1 :] in names for at, char in enumerate(entry) if char == "/"
    )


def _text(data: bytes, entry: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{entry!r} in the .epub file is not UTF-8 (byte {exc.start})") from None


class EpubDocument:
    """An .epub file whose chapters (and navigation) are translated in place."""

    def __init__(self, data: bytes, limits: ArchiveLimits) -> None:
        self._zip = open_archive(data, ".epub", limits)  # judged before ebooklib reads it
        check_doctypes(self._zip, ".epub", external_dtd=True)
        book = _read_book(data)
        names, pages = set(_document_names(book)), set(_svg_pages(book))
        self._chapters: dict[str, HtmlDocument] = {}
        self.notes: list[str] = []  # what the book holds that no translation can reach
        self._language: str | None = None
        self._package = Package(self._zip)
        self.segments: list[Segment] = self._package.segments()
        for entry in self._zip.namelist():
            document, page = _is_document(entry, names), _is_document(entry, pages)
            if not (document or page):
                continue
            text = _text(self._zip.read(entry), entry)
            drawn = svg_text(text)
            if drawn:
                self.notes.append(f"{entry}: {drawn} characters of SVG text left as they were")
            if document:
                chapter = HtmlDocument(text, xml=True)
                self._chapters[entry] = chapter
                self.segments.extend(chapter.segments)

    def set_language(self, code: str) -> None:
        """Say the book is in `code`: its package, its NCX and each document's root."""
        self._language = code
        self._package.set_language(code)

    def to_bytes(self) -> bytes:
        """The book with translated chapters; `mimetype` first, uncompressed, as EPUB requires."""
        out = io.BytesIO()
        infos = sorted(self._zip.infolist(), key=lambda info: info.filename != "mimetype")
        package = self._package.entries()
        with zipfile.ZipFile(out, "w") as book:
            for info in infos:
                data = package.get(info.filename) or self._zip.read(info)
                if info.filename in self._chapters:
                    xhtml = self._chapters[info.filename].render()
                    if self._language:
                        xhtml = with_language(xhtml, self._language)
                    data = xhtml.encode("utf-8")
                book.writestr(info, data, compress_type=info.compress_type)
        return out.getvalue()
