"""Zip containers (docx, epub): judged by their directory before a byte is inflated.

A zip states each entry's sizes in its central directory, and Python's zipfile never inflates an
entry past the size stated there, so limits on the stated sizes bound the memory any reader
(python-docx, ebooklib, this package) can spend on the archive, however it was crafted: a
compression ratio no document has, an entry or a total too large, too many entries. Names that
climb out of the archive, or appear twice, are refused too.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..errors import InputError, InputTooLarge

# Below this size an entry is never judged by its ratio: small, repetitive XML compresses well.
_RATIO_FLOOR = 1 << 20


@dataclass(frozen=True)
class ArchiveLimits:
    """The most a zip container may hold, stated sizes uncompressed."""

    entries: int
    entry_bytes: int
    total_bytes: int
    ratio: float


def open_archive(data: bytes, what: str, limits: ArchiveLimits) -> zipfile.ZipFile:
    """The zip in `data`, once its directory is within `limits`; else InputError/InputTooLarge."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise InputError(f"not a readable {what} file (not a zip archive)") from None
    check_archive(archive.infolist(), what, limits)
    return archive


def check_archive(infos: list[zipfile.ZipInfo], what: str, limits: ArchiveLimits) -> None:
    """Refuse a directory over the limits, or with unsafe or repeated names."""
    if len(infos) > limits.entries:
        raise InputTooLarge(f"the {what} file has {len(infos)} entries; at most {limits.entries}")
    seen: set[str] = set()
    total = 0
    for info in infos:
        _check_name(info.filename, what, seen)
        if info.file_size > limits.entry_bytes:
            raise InputTooLarge(
                f"{info.filename!r} in the {what} file inflates to {info.file_size} bytes; "
                f"at most {limits.entry_bytes}"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > limits.ratio:
            raise InputTooLarge(
                f"{info.filename!r} in the {what} file is compressed {ratio:.0f} to 1; "
                f"at most {limits.ratio:g} to 1 (a zip bomb?)"
            )
        total += info.file_size
        if total > limits.total_bytes:
            raise InputTooLarge(f"the {what} file inflates to more than {limits.total_bytes} bytes")


def _check_name(name: str, what: str, seen: set[str]) -> None:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
        raise InputError(f"the {what} file holds an entry outside itself: {name!r}")
    if name in seen:
        raise InputError(f"the {what} file holds {name!r} twice")
    seen.add(name)
