"""Character encodings of HTML pages as browsers read them: labels mean what the WHATWG Encoding
Standard says (a page declaring iso-8859-1 is read as windows-1252), and a written page always
declares the encoding its bytes are in.

The choice, per page: keep the page's own encoding when the page declared it truthfully and every
character of the translated page fits in it; otherwise write UTF-8, rewriting the page's
`<meta charset>` or `http-equiv` declaration, or, where the page declared nothing, starting the
file with a UTF-8 byte-order mark (the first thing a browser looks at, and no part of the tree).
A fragment file that declares nothing (a part of a page, with no <html>, <head> or <body>) keeps
its own encoding and writes what does not fit as character references: a byte-order mark in the
middle of the page it is included in would be text.
"""

from __future__ import annotations

import codecs
import re

import webencodings
from bs4 import BeautifulSoup, Tag

_CHARSET_PARAMETER = re.compile(r"(charset\s*=\s*[\"']?)([^\s;\"']+)", re.I)


def browser_codec(label: str) -> str | None:
    """The Python codec a browser's decoder for `label` corresponds to, or None if unknown."""
    found = webencodings.lookup(label)
    if found is not None:
        return str(found.codec_info.name)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _declarations(soup: BeautifulSoup) -> list[tuple[Tag, str]]:
    """Each <meta> declaring a charset, with the attribute that holds it."""
    found: list[tuple[Tag, str]] = []
    for meta in soup.find_all("meta"):
        if meta.get("charset") is not None:
            found.append((meta, "charset"))
        elif str(meta.get("http-equiv", "")).lower() == "content-type" and (
            _CHARSET_PARAMETER.search(str(meta.get("content", "")))
        ):
            found.append((meta, "content"))
    return found


def declared_charset(soup: BeautifulSoup) -> str | None:
    """The charset the first declaring <meta> names, or None."""
    for meta, attribute in _declarations(soup):
        value = str(meta[attribute])
        if attribute == "content":
            match = _CHARSET_PARAMETER.search(value)
            value = match.group(2) if match else ""
        return value.strip()
    return None


def declare_utf8(soup: BeautifulSoup) -> bool:
    """Make every charset declaration say utf-8; return whether there was any."""
    found = _declarations(soup)
    for meta, attribute in found:
        if attribute == "charset":
            meta["charset"] = "utf-8"
        else:
            meta["content"] = _CHARSET_PARAMETER.sub(r"\1utf-8", str(meta["content"]), count=1)
    return bool(found)


def same_encoding(label: str, codec: str) -> bool:
    """Whether a browser reading a <meta> that names `label` decodes as Python's `codec` does."""
    found = browser_codec(label)
    if found is not None and codecs.lookup(found).name.startswith("utf-16"):
        found = "utf-8"  # a <meta> cannot be read in UTF-16, so browsers take it as UTF-8
    return found is not None and codecs.lookup(found).name == codecs.lookup(codec).name
