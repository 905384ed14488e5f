"""Reading user files and stdin as text, with clear errors."""

from __future__ import annotations

import sys
from pathlib import Path

from bs4.dammit import EncodingDetector, UnicodeDammit

from chains.errors import InputError

FORMAT_BY_SUFFIX = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
}


def guess_format(name: str) -> str:
    """Guess text, html or markdown from a file name."""
    return FORMAT_BY_SUFFIX.get(Path(name).suffix.lower(), "text")


def decode(data: bytes, where: str, html: bool = False) -> str:
    """Decode bytes: UTF-8 first (right more often than a page's own declaration); for HTML then
    the declared charset, then a guess; raise InputError when nothing fits."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if html:
            declared = EncodingDetector.find_declared_encoding(data, is_html=True)
            if declared:
                try:
                    return data.decode(declared)
                except (UnicodeDecodeError, LookupError):
                    pass
            # No usable declaration: guess as browsers do (windows-1252 as the last resort).
            guess = UnicodeDammit(data, is_html=True).unicode_markup
            if guess is not None:
                return guess
        raise InputError(f"{where} is not valid UTF-8 text (byte {exc.start})") from None


def read_text_input(name: str, html: bool = False) -> str:
    """Read a file, or stdin for "-", as text."""
    data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    return decode(data, "stdin" if name == "-" else name, html)
