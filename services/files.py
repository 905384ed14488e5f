"""Reading user files and stdin, and writing files so that a killed run leaves no half file."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dragoman.chains import decode_text


def read_text_input(name: str, html: bool = False) -> str:
    """Read a file, or stdin for "-", as text."""
    return read_decoded(name, html)[0]


def read_decoded(
    name: str, html: bool = False, legacy: bool = False, encoding: str | None = None
) -> tuple[str, str]:
    """Read a file, or stdin for "-", as (text, the encoding it came in)."""
    data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    return decode_text(data, "stdin" if name == "-" else name, html, legacy, encoding)


def write_atomically(path: Path, data: bytes) -> None:
    """Write through a temporary file and a rename, so a killed run leaves no half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
