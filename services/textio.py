"""Reading user files and stdin as text, with clear errors."""

from __future__ import annotations

import sys
from pathlib import Path

from chains.errors import InputError


def read_text_input(name: str) -> str:
    """Read a UTF-8 text file, or stdin for "-"; raise InputError when it cannot be decoded."""
    data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = "stdin" if name == "-" else name
        raise InputError(f"{where} is not valid UTF-8 text (byte {exc.start})") from None
