"""Every format Dragoman reads, declared once: names, file extensions, media types, parsers."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass, field
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
# Formats proofreading reads prose from (chains/proofread/regions.py has a reader for each).
ProofreadFormat = Literal["text", "markdown", "html", "email"]
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class FileFormat:
    """A format, declared once: its extensions and media type; how a text of it is parsed
    (`parse`) or, for a zip container, how its bytes are (`load`); whether a file not in UTF-8
    is read in the legacy encoding it most likely is in; and which proofreading reader reads its
    prose. A new format is one module and one row."""

    name: str
    extensions: tuple[str, ...]
    media_type: str
    parse: Callable[[str], Document] | None = None
    load: Callable[[bytes, ArchiveLimits], FileDocument] | None = None
    legacy_encodings: bool = False  # subtitles: windows-1252, GB2312… are the common case
    proofread_as: ProofreadFormat = "text"

    @property
    def translated(self) -> bool:
        """Whether Dragoman translates files of this format (e-mail it only proofreads)."""
        return self.parse is not None or self.load is not None


FILE_FORMATS = {
    f.name: f
    for f in (
        FileFormat("html", (".html", ".htm", ".xhtml"), "text/html", HtmlDocument, None,
                   proofread_as="html"),
        FileFormat("xhtml", (), "application/xhtml+xml", XhtmlFragment),  # the API's, as XML
        FileFormat("markdown", (".md", ".markdown"), "text/markdown", MarkdownDocument,
                   proofread_as="markdown"),
        FileFormat("text", (".txt",), "text/plain", PlainDocument),
        FileFormat("srt", (".srt",), "application/x-subrip", SrtDocument, legacy_encodings=True),
        FileFormat("docx", (".docx",), DOCX_TYPE, load=DocxDocument),
        FileFormat("epub", (".epub",), "application/epub+zip", load=EpubDocument),
        FileFormat("email", (".eml",), "message/rfc822", proofread_as="email"),
    )
}  # fmt: skip
# The formats whose texts are parsed: what `format` may name in the API and the CLI.
TEXT_DOCUMENTS: dict[str, Callable[[str], Document]] = {
    f.name: f.parse for f in FILE_FORMATS.values() if f.parse is not None
}
_BY_EXTENSION = {ext: f for f in FILE_FORMATS.values() for ext in f.extensions}


class FileDocument(Protocol):
    """A parsed file: its segments, and its bytes with translations applied."""

    @property
    def segments(self) -> list[Segment]: ...

    @property
    def notes(self) -> list[str]:
        """Text the file holds that the format cannot carry a translation of (SVG text)."""
        ...

    def set_language(self, code: str) -> None:
        """Say, where the format can, that the file is now in language `code`."""
        ...

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


def printable_format(name: str) -> str:
    """The format a file is printed back in: by its extension, text when it has none known;
    raise InputError for a format that is not text (a Word file, a book)."""
    found = format_of(name)
    if found is None or not found.translated:
        return "text"
    if found.name not in TEXT_DOCUMENTS:
        raise InputError(
            f"{name} is a {found.name} file, which is not text: give -o OUTDIR to write its "
            "translation to a file"
        )
    return found.name


def proofread_format(name: str) -> ProofreadFormat:
    """The format proofreading reads a file name as (its row's reader, text if none is known)."""
    found = format_of(name)
    return found.proofread_as if found else "text"


def parse_text(fmt: str, text: str) -> Document:
    """Split `text` of format `fmt` into segments."""
    if fmt not in TEXT_DOCUMENTS:
        raise InputError(f"unknown format {fmt!r}; expected one of: {', '.join(TEXT_DOCUMENTS)}")
    return TEXT_DOCUMENTS[fmt](text)


def decode_text(
    data: bytes, where: str, html: bool = False, legacy: bool = False, encoding: str | None = None
) -> tuple[str, str]:
    """Decode bytes to (text, Python codec): in `encoding` when the user names one; else UTF-8
    first (its byte-order mark kept for writing back), then for HTML its declared charset as a
    browser reads that label, then a guess, and for formats with `legacy` encodings a guess;
    raise InputError when nothing fits."""
    if encoding:
        return _decode_as(data, where, encoding), encoding
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        found = _decode_html(data) if html else _guess(data) if legacy else None
        if found is None:
            raise InputError(f"{where} is not valid UTF-8 text (byte {exc.start})") from None
        return found
    bom = data.startswith(codecs.BOM_UTF8) and not html  # a page declares its charset instead
    return text, "utf-8-sig" if bom else "utf-8"


def _decode_as(data: bytes, where: str, encoding: str) -> str:
    """`data` in the encoding a user named, or InputError saying why not."""
    try:
        return data.decode(encoding)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{where} is not valid {encoding} text (byte {exc.start})") from None


def _guess(data: bytes) -> tuple[str, str] | None:
    """The text in the encoding it most likely is in (a byte-order mark, else a statistical
    guess, as for pages that declare nothing), or None."""
    guess = UnicodeDammit(data, is_html=False)
    if guess.unicode_markup is None or not guess.original_encoding:
        return None
    return guess.unicode_markup, guess.original_encoding


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
    notes: list[str] = field(default_factory=list)

    @property
    def segments(self) -> list[Segment]:
        return self.document.segments

    def set_language(self, code: str) -> None:
        """Text formats carry no language of their own (a page's `lang` is left as written)."""

    def to_bytes(self) -> bytes:
        if isinstance(self.document, HtmlDocument):
            return self.document.encode(self.encoding)
        text = self.document.render()
        try:
            return text.encode(self.encoding)
        except UnicodeEncodeError:  # French subtitles in windows-1252 translated into Russian
            return text.encode("utf-8-sig")  # the mark tells players what it is


def html_bytes(html: str, encoding: str) -> bytes:
    """A whole translated page as bytes that declare their encoding (see markup/charset.py)."""
    return HtmlDocument(html).encode(encoding)


def load_file(
    data: bytes, name: str, limits: ArchiveLimits, encoding: str | None = None
) -> FileDocument:
    """Parse a file's bytes by its name's extension; zip containers must keep within `limits`;
    a text format is read in `encoding` when one is named."""
    row = FILE_FORMATS[file_format(name)]
    if row.load is not None:
        return row.load(data, limits)
    legacy = row.legacy_encodings
    text, found = decode_text(data, name, row.name == "html", legacy, encoding)
    return TextFile(parse_text(row.name, text), found)
