"""EPUB books: every XHTML document of the book goes through the HTML segmentation.

ebooklib reads the package to find the book's documents; the output is written entry by entry
from the original archive, so everything but the translated chapters stays byte for byte.
"""

from __future__ import annotations

import io
import warnings
import zipfile

from ..errors import InputError
from .archive import ArchiveLimits, open_archive
from .dtd import check_doctypes
from .html import HtmlDocument
from .package import Package, with_language
from .segment import Segment


def _document_names(data: bytes) -> list[str]:
    import ebooklib
    from ebooklib import epub

    try:
        with warnings.catch_warnings():  # ebooklib warns about options it will change
            warnings.simplefilter("ignore")
            book = epub.read_epub(io.BytesIO(data), {"ignore_ncx": True})
    except Exception as exc:  # a broken zip or package document: many kinds
        raise InputError(f"not a readable .epub file ({type(exc).__name__})") from None
    documents = list(book.get_items_of_type(ebooklib.ITEM_DOCUMENT))
    # An EPUB 3 navigation document is XHTML too (ebooklib files it under navigation).
    documents += [
        item
        for item in book.get_items_of_type(ebooklib.ITEM_NAVIGATION)
        if item.media_type == "application/xhtml+xml"
    ]
    return [item.file_name for item in documents]


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
        names = set(_document_names(data))
        self._chapters: dict[str, HtmlDocument] = {}
        self._language: str | None = None
        self._package = Package(self._zip)
        self.segments: list[Segment] = self._package.segments()
        for entry in self._zip.namelist():
            if _is_document(entry, names):
                chapter = HtmlDocument(_text(self._zip.read(entry), entry), xml=True)
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
