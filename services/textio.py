"""Reading user files and stdin as text, with clear errors."""

from __future__ import annotations

import sys
from pathlib import Path

from chains.formats import decode_text

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
    """Decode user bytes as text (see chains.formats.decode_text)."""
    return decode_text(data, where, html)[0]


def read_text_input(name: str, html: bool = False) -> str:
    """Read a file, or stdin for "-", as text."""
    data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    return decode(data, "stdin" if name == "-" else name, html)
