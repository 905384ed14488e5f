"""Document files by extension: decode, segment, and write back the translated bytes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Protocol

from bs4.dammit import EncodingDetector, UnicodeDammit

from .errors import InputError
from .markup.docx import DocxDocument
from .markup.epub import EpubDocument
from .markup.html import HtmlDocument
from .markup.markdown import MarkdownDocument
from .markup.plain import PlainDocument
from .markup.segment import Document, Segment
from .markup.srt import SrtDocument

FORMATS = {
    ".html": "html", ".htm": "html", ".xhtml": "html", ".md": "markdown", ".markdown": "markdown",
    ".txt": "text", ".srt": "srt", ".docx": "docx", ".epub": "epub",
}  # fmt: skip
_TEXT_DOCUMENTS = {
    "html": HtmlDocument,
    "markdown": MarkdownDocument,
    "text": PlainDocument,
    "srt": SrtDocument,
}


class UnsupportedFormat(InputError):
    """A file type Dragoman does not translate."""

    code = "unsupported_format"


class FileDocument(Protocol):
    """A parsed file: its segments, and its bytes with translations applied."""

    @property
    def segments(self) -> list[Segment]: ...

    def to_bytes(self) -> bytes:
        """The file as it should be written."""
        ...


def file_format(name: str) -> str:
    """The format of a file name, or raise UnsupportedFormat."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise UnsupportedFormat(
            f"cannot translate {suffix or 'files without an extension'}; supported: {known}"
        )
    return FORMATS[suffix]


def decode_text(data: bytes, where: str, html: bool = False) -> tuple[str, str]:
    """Decode bytes to (text, encoding): UTF-8 first, then for HTML its declared charset, then a
    guess; raise InputError when nothing fits."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        if html:
            declared = EncodingDetector.find_declared_encoding(data, is_html=True)
            for encoding in [declared] if declared else []:
                try:
                    return data.decode(encoding), encoding
                except (UnicodeDecodeError, LookupError):
                    pass
            guess = UnicodeDammit(data, is_html=True)
            if guess.unicode_markup is not None and guess.original_encoding:
                return guess.unicode_markup, guess.original_encoding
        raise InputError(f"{where} is not valid UTF-8 text (byte {exc.start})") from None


@dataclass
class TextFile:
    """A text format file, written back in the encoding it came in (so its charset stays true)."""

    document: Document
    encoding: str

    @property
    def segments(self) -> list[Segment]:
        return self.document.segments

    def to_bytes(self) -> bytes:
        return self.document.render().encode(self.encoding, errors="xmlcharrefreplace")


def load_file(data: bytes, name: str) -> FileDocument:
    """Parse a file's bytes by its name's extension."""
    fmt = file_format(name)
    if fmt == "docx":
        return DocxDocument(data)
    if fmt == "epub":
        return EpubDocument(data)
    text, encoding = decode_text(data, name, html=fmt == "html")
    return TextFile(_TEXT_DOCUMENTS[fmt](text), encoding)
