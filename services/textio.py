"""Reading user files and stdin as text, with clear errors."""

from __future__ import annotations

import sys
from pathlib import Path

from chains.formats import FORMATS, decode_text

# Formats a single text can be printed back as; other files go through `-o OUTDIR`.
TEXT_FORMATS = ("text", "html", "markdown")


def guess_format(name: str) -> str:
    """Guess text, html or markdown from a file name."""
    fmt = FORMATS.get(Path(name).suffix.lower(), "text")
    return fmt if fmt in TEXT_FORMATS else "text"


def read_text_input(name: str, html: bool = False) -> str:
    """Read a file, or stdin for "-", as text."""
    data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    return decode_text(data, "stdin" if name == "-" else name, html)[0]
