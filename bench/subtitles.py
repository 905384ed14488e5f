"""§14: subtitles as people have them: the French film of tests/files (1,332 cues, windows-1252,
CRLF) translated into English through the path the CLI and the jobs take. Seconds per cue with
the embedded model (its first cues) and with the pseudo backend (the whole film), what a whole
film would take, and the longest wait between two progress reports."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from dragoman.services.translation import archive_limits, translate_file_bytes

from .common import ROOT, table

FILM = ROOT / "tests" / "files" / "pysrt-windows-1252.srt"
EMBEDDED_CUES = 40


def _cues(data: bytes, count: int | None) -> tuple[bytes, int]:
    """The film's first `count` cues (all when None), and how many that is."""
    blocks = data.split(b"\r\n\r\n")
    kept = blocks if count is None else blocks[:count]
    return b"\r\n\r\n".join(kept), sum(b"-->" in block for block in kept)


def _translate(runtime: Runtime, data: bytes) -> dict[str, Any]:
    heard: list[float] = []
    translator = runtime.translator(progress=lambda n: heard.append(time.monotonic()))
    started = time.monotonic()
    _, result = asyncio.run(
        translate_file_bytes(
            translator, data, FILM.name, "en", archive_limits(runtime.settings), "fr"
        )
    )
    seconds = time.monotonic() - started
    marks = [started, *heard]
    gap = max((b - a for a, b in zip(marks, marks[1:], strict=False)), default=seconds)
    return {"s": round(seconds, 2), "counts": result.counts, "longest_wait_s": round(gap, 2)}


def run(runtime: Runtime) -> dict[str, Any]:
    """The embedded model on the film's first cues, the pseudo backend on all of it."""
    data = FILM.read_bytes()
    head, cues = _cues(data, EMBEDDED_CUES)
    embedded = {"cues": cues, **_translate(runtime, head)}
    whole, total = _cues(data, None)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(backend="pseudo", data_dir=Path(folder), memory=False, warm_up=False)
        pseudo = {"cues": total, **_translate(Runtime(settings), whole)}
    return {"film_cues": total, "embedded": embedded, "pseudo": pseudo}


def render(r: dict[str, Any], _table: Any = table) -> list[str]:
    rows = []
    for name, label in (("embedded", "embedded Gemma 3 270M"), ("pseudo", "pseudo backend")):
        m = r[name]
        per = m["s"] / max(m["cues"], 1)
        whole = per * r["film_cues"] / 60
        counts = ", ".join(f"{n} {s}" for s, n in sorted(m["counts"].items()))
        rows.append(
            [label, m["cues"], m["s"], f"{per:.3f}", f"{whole:.1f}", m["longest_wait_s"], counts]
        )
    return [
        "",
        "## 14. Subtitles",
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
    ]
