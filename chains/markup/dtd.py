"""Document types in the XML of .docx and .epub files: judged from the prolog, never read.

Every XML parser behind these formats is libxml2 through lxml (python-docx, ebooklib, and
BeautifulSoup for EPUB chapters), none loading an external DTD or entity or using the network.
A document type of the entry's own still does harm: libxml2 builds an internal subset whole
before the document, so a 4 MB .docx or .epub of `<!ENTITY>` declarations cost 460 MB;
BeautifulSoup's XML parse silently drops everything after a subset that declares an entity, so
an EPUB chapter came back empty; python-docx keeps `&x;` and writes a part no reader opens. So
each entry is judged before anything parses it, by libxml2 itself stopped at the DOCTYPE or the
first element, whichever comes first:

- .docx: no DOCTYPE at all. The Open Packaging Conventions forbid DTD declarations in a package
  and tell readers to treat one as an error (ECMA-376 Part 2, "XML Usage", M1.18).
- .epub: a DOCTYPE may name an external DTD (EPUB 2 chapters name XHTML 1.1's), which is never
  read; an internal subset (`<!DOCTYPE html [...]>`) is refused. EPUB 3.3 forbids external
  entities there, and internal ones would have to be expanded, which Dragoman never does.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from typing import IO, Any
from xml.parsers import expat

from lxml import etree

from ..errors import DtdForbidden, InputError

_CHUNK = 64 << 10


class _Stop(Exception):
    """Ends a parse at the DOCTYPE or the first element: nothing after them is read."""


class _Prolog:
    """An lxml parser target that notes whether a DOCTYPE comes before the first element."""

    def __init__(self) -> None:
        self.declared = False

    def doctype(self, name: str, public_id: str | None, system_url: str | None) -> None:
        # libxml2 reports a DOCTYPE before it reads the internal subset, if there is one.
        self.declared = True
        raise _Stop

    def start(self, tag: str, attrib: Any, nsmap: Any = None) -> None:
        raise _Stop

    def close(self) -> None:
        return None


def check_doctypes(archive: zipfile.ZipFile, what: str, external_dtd: bool) -> None:
    """Refuse a zip container any of whose entries declares a DTD Dragoman will not read: any
    DOCTYPE, or with `external_dtd` one with an internal subset (a name of a DTD is allowed)."""
    for info in archive.infolist():
        try:
            _check(archive, info, what, external_dtd)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, EOFError) as exc:
            # An entry encrypted, compressed by an unknown method, or damaged.
            raise InputError(f"not a readable {what} file ({type(exc).__name__})") from None


def _check(archive: zipfile.ZipFile, info: zipfile.ZipInfo, what: str, external_dtd: bool) -> None:
    with archive.open(info) as stream:
        if not _declares_doctype(stream):
            return
    if not external_dtd:
        raise DtdForbidden(
            f"{info.filename!r} in the {what} file declares a document type (<!DOCTYPE>), "
            "which Office documents may not hold"
        )
    with archive.open(info) as stream:
        if _has_internal_subset(stream):
            raise DtdForbidden(
                f"{info.filename!r} in the {what} file declares a document type of its own "
                "(<!DOCTYPE … [ … ]>): Dragoman reads no DTD and expands no entities"
            )


def declares_own_dtd(open_stream: Callable[[], IO[bytes]]) -> bool:
    """Whether an XML file (opened, twice at most, by `open_stream`) has a DOCTYPE with an
    internal subset, judged before any parser builds it."""
    with open_stream() as stream:
        if not _declares_doctype(stream):
            return False
    with open_stream() as stream:
        return _has_internal_subset(stream)


def _declares_doctype(stream: IO[bytes]) -> bool:
    """Whether libxml2, recovering from errors as the format's parsers do, reads a DOCTYPE."""
    target = _Prolog()
    parser = etree.XMLParser(
        target=target, recover=True, resolve_entities=False, load_dtd=False, no_network=True
    )
    try:
        while chunk := stream.read(_CHUNK):
            parser.feed(chunk)
        parser.close()
    except _Stop:
        pass
    except etree.XMLSyntaxError:
        return False  # no XML at all (an image, a font): nothing declared
    return target.declared


def _has_internal_subset(stream: IO[bytes]) -> bool:
    """Whether a DOCTYPE has an internal subset, as expat reads it (stopping at the `[`); a
    prolog expat cannot read, though libxml2 found a DOCTYPE in it, counts as one that has."""
    parser = expat.ParserCreate()
    found: list[bool] = []

    def doctype(name: str, system_id: str | None, public_id: str | None, internal: int) -> None:
        found.append(bool(internal))
        raise _Stop

    def element(name: str, attributes: Any) -> None:
        raise _Stop

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = element
    try:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (_Stop, expat.ExpatError, LookupError, UnicodeError):
        pass  # LookupError, UnicodeError: an encoding expat does not know
    return found != [False]
