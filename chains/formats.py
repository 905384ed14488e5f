"""Every format Dragoman reads, declared once: names, file extensions, media types, parsers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal, Protocol, cast, get_args

from bs4.dammit import EncodingDetector, UnicodeDammit

from .errors import InputError, UnsupportedFormat
from .markup.archive import ArchiveLimits
from .markup.charset import browser_codec
from .markup.docx import DocxDocument
from .markup.epub import EpubDocument
from .markup.html import HtmlDocument
from .markup.markdown import MarkdownDocument
from .markup.plain import PlainDocument
from .markup.segment import Document, Segment
from .markup.srt import SrtDocument
from .markup.xhtml import XhtmlFragment

# Formats of one text given inline (API `format`, or one file printed back by the CLI).
TextFormat = Literal["text", "html", "xhtml", "markdown"]
# Formats proofreading reads prose from.
ProofreadFormat = Literal["text", "markdown", "html", "email"]
TEXT_DOCUMENTS: dict[str, Callable[[str], Document]] = {
    "text": PlainDocument,
    "html": HtmlDocument,
    "xhtml": XhtmlFragment,
    "markdown": MarkdownDocument,
    "srt": SrtDocument,
}


@dataclass(frozen=True)
class FileFormat:
    """A file type: its extensions, its media type, and whether Dragoman translates it."""

    name: str
    extensions: tuple[str, ...]
    media_type: str
    translated: bool = True


FILE_FORMATS = {
    f.name: f
    for f in (
        FileFormat("html", (".html", ".htm", ".xhtml"), "text/html"),
        FileFormat("markdown", (".md", ".markdown"), "text/markdown"),
        FileFormat("text", (".txt",), "text/plain"),
        FileFormat("srt", (".srt",), "application/x-subrip"),
        FileFormat(
            "docx",
            (".docx",),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        FileFormat("epub", (".epub",), "application/epub+zip"),
        FileFormat("email", (".eml",), "message/rfc822", translated=False),
    )
}
_BY_EXTENSION = {ext: f for f in FILE_FORMATS.values() for ext in f.extensions}


class FileDocument(Protocol):
    """A parsed file: its segments, and its bytes with translations applied."""

    @property
    def segments(self) -> list[Segment]: ...

    def to_bytes(self) -> bytes:
        """The file as it should be written."""
        ...


def format_of(name: str) -> FileFormat | None:
    """The format of a file name by its extension, or None."""
    return _BY_EXTENSION.get(PurePath(name).suffix.lower())


def is_translatable(name: str) -> bool:
    """Whether a file name has an extension Dragoman translates."""
    found = format_of(name)
    return found is not None and found.translated


def file_format(name: str) -> str:
    """The translatable format of a file name, or raise UnsupportedFormat."""
    found = format_of(name)
    if found is None or not found.translated:
        suffix = PurePath(name).suffix.lower()
        known = ", ".join(sorted(e for e, f in _BY_EXTENSION.items() if f.translated))
        raise UnsupportedFormat(
            f"cannot translate {suffix or 'files without an extension'}; supported: {known}"
        )
    return found.name


def text_format(name: str) -> TextFormat:
    """The inline text format of a file name: html, markdown, or text for anything else."""
    found = format_of(name)
    return cast(TextFormat, found.name) if found and found.name in get_args(TextFormat) else "text"


def proofread_format(name: str) -> ProofreadFormat:
    """The format proofreading reads a file name as: text unless it is html, markdown or email."""
    found = format_of(name)
    if found and found.name in get_args(ProofreadFormat):
        return cast(ProofreadFormat, found.name)
    return "text"


def parse_text(fmt: str, text: str) -> Document:
    """Split `text` of format `fmt` into segments."""
    if fmt not in TEXT_DOCUMENTS:
        raise InputError(f"unknown format {fmt!r}; expected one of: {', '.join(TEXT_DOCUMENTS)}")
    return TEXT_DOCUMENTS[fmt](text)


def decode_text(data: bytes, where: str, html: bool = False) -> tuple[str, str]:
    """Decode bytes to (text, Python codec): UTF-8 first, then for HTML its declared charset as a
    browser reads that label, then a guess; raise InputError when nothing fits."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        found = _decode_html(data) if html else None
        if found is None:
            raise InputError(f"{where} is not valid UTF-8 text (byte {exc.start})") from None
        return found


def _decode_html(data: bytes) -> tuple[str, str] | None:
    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    codec = browser_codec(declared) if declared else None
    if codec is not None:
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            pass  # the declaration is wrong: guess, as browsers that detect encodings do
    guess = UnicodeDammit(data, is_html=True)
    if guess.unicode_markup is not None and guess.original_encoding:
        return guess.unicode_markup, guess.original_encoding
    return None


@dataclass
class TextFile:
    """A text format file, written back in the encoding it came in; HTML declares what it is in."""

    document: Document
    encoding: str

    @property
    def segments(self) -> list[Segment]:
        return self.document.segments

    def to_bytes(self) -> bytes:
        if isinstance(self.document, HtmlDocument):
            return self.document.encode(self.encoding)
        return self.document.render().encode(self.encoding, errors="xmlcharrefreplace")


def html_bytes(html: str, encoding: str) -> bytes:
    """A whole translated page as bytes that declare their encoding (see markup/charset.py)."""
    return HtmlDocument(html).encode(encoding)


def load_file(data: bytes, name: str, limits: ArchiveLimits) -> FileDocument:
    """Parse a file's bytes by its name's extension; zip containers must keep within `limits`."""
    fmt = file_format(name)
    if fmt == "docx":
        return DocxDocument(data, limits)
    if fmt == "epub":
        return EpubDocument(data, limits)
    text, encoding = decode_text(data, name, html=fmt == "html")
    return TextFile(parse_text(fmt, text), encoding)
