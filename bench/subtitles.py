"""§14: subtitles and books as people have them, through the path the CLI and the jobs take: the
French film of tests/files (1,332 cues, windows-1252, CRLF) into English, seconds per cue with
the embedded model (its first cues) and the pseudo backend (all of it), what a whole film would
take and the longest wait between two progress reports; IDPF's Waste Land into German with both,
and what epubcheck says of the result."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from dragoman.services.translation import archive_limits, translate_file_bytes

from .common import ROOT, table

FILM = ROOT / "tests" / "files" / "pysrt-windows-1252.srt"
BOOK = ROOT / "tests" / "files" / "idpf-wasteland.epub"
EPUBCHECK = Path("/usr/share/java/epubcheck.jar")
EMBEDDED_CUES = 40


def _cues(data: bytes, count: int | None) -> tuple[bytes, int]:
    """The film's first `count` cues (all when None), and how many that is."""
    blocks = data.split(b"\r\n\r\n")
    kept = blocks if count is None else blocks[:count]
    return b"\r\n\r\n".join(kept), sum(b"-->" in block for block in kept)


def _translate(
    runtime: Runtime, data: bytes, name: str = FILM.name, languages: tuple[str, str] = ("fr", "en")
) -> dict[str, Any]:
    heard: list[float] = []
    translator = runtime.translator(progress=lambda n: heard.append(time.monotonic()))
    started = time.monotonic()
    source, target = languages
    out, result = asyncio.run(
        translate_file_bytes(
            translator, data, name, target, archive_limits(runtime.settings), source
        )
    )
    seconds = time.monotonic() - started
    marks = [started, *heard]
    gap = max((b - a for a, b in zip(marks, marks[1:], strict=False)), default=seconds)
    found = {"s": round(seconds, 2), "counts": result.counts, "longest_wait_s": round(gap, 2)}
    if name.endswith(".epub"):
        found["epubcheck_errors"] = _epubcheck(out)
    return found


def _epubcheck(book: bytes) -> int | None:
    """How many errors epubcheck finds in a book (None without epubcheck)."""
    java = shutil.which("java")
    if java is None or not EPUBCHECK.exists():
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.epub"
        path.write_bytes(book)
        done = subprocess.run([java, "-jar", str(EPUBCHECK), str(path)], capture_output=True)
    return len(re.findall(rb"^(?:ERROR|FATAL)\(", done.stdout + done.stderr, re.MULTILINE))


def run(runtime: Runtime) -> dict[str, Any]:
    """The embedded model on the film's first cues, the pseudo backend on all of it."""
    data = FILM.read_bytes()
    head, cues = _cues(data, EMBEDDED_CUES)
    embedded = {"cues": cues, **_translate(runtime, head)}
    whole, total = _cues(data, None)
    book = BOOK.read_bytes()
    books = {"embedded": _translate(runtime, book, BOOK.name, ("en", "de"))}
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(backend="pseudo", data_dir=Path(folder), memory=False, warm_up=False)
        pseudo = {"cues": total, **_translate(Runtime(settings), whole)}
        books["pseudo"] = _translate(Runtime(settings), book, BOOK.name, ("en", "de"))
    return {"film_cues": total, "embedded": embedded, "pseudo": pseudo, "books": books}


def render(r: dict[str, Any], _table: Any = table) -> list[str]:
    rows = []
    for name, label in (("embedded", "embedded Gemma 3 270M"), ("pseudo", "pseudo backend")):
        m = r[name]
        per = m["s"] / max(m["cues"], 1)
        whole = per * r["film_cues"] / 60
        rows.append(
            [
                label,
                m["cues"],
                m["s"],
                f"{per:.3f}",
                f"{whole:.1f}",
                m["longest_wait_s"],
                _counts(m),
            ]
        )
    books = [
        [
            label,
            r["books"][name]["s"],
            r["books"][name]["epubcheck_errors"],
            _counts(r["books"][name]),
        ]
        for name, label in (("embedded", "embedded Gemma 3 270M"), ("pseudo", "pseudo backend"))
        if "books" in r
    ]
    return [
        "",
        "## 14. Subtitles and books",
        "",
        f"The French film of `tests/files/pysrt-windows-1252.srt` ({r['film_cues']:,} cues, "
        "windows-1252, CRLF line ends) translated into English through the CLI's and the jobs' "
        "path (`translate_file_bytes`: read, translate, write back in its encoding). The "
        f"embedded model translates the first {r['embedded']['cues']} cues; *whole film* is "
        "seconds per cue times the film's cues. *Longest wait* is the most time between two "
        "progress reports (what a progress bar or a progress line can show).",
        "",
        _table(
            [
                "backend",
                "cues",
                "seconds",
                "s per cue",
                "whole film (min)",
                "longest wait (s)",
                "segment statuses",
            ],
            rows,
        ),  # fmt: skip
        "",
        "IDPF's *The Waste Land* (`tests/files/idpf-wasteland.epub`, EPUB 3 with an NCX; epubcheck "
        "finds no error in it) translated from English into German; *epubcheck errors* counts "
        "the errors Debian's epubcheck finds in the translated book.",
        "",
        _table(["backend", "seconds", "epubcheck errors", "segment statuses"], books),
    ]


def _counts(measured: dict[str, Any]) -> str:
    return ", ".join(f"{n} {s}" for s, n in sorted(measured["counts"].items()))
