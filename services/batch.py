"""Batch translation of files and folders: progress, atomic writes, a summary and a report."""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from chains.errors import DragomanError, InputError
from chains.formats import FORMATS, load_file
from chains.translate import TranslateRequest, Translator
from chains.translate.document import translate_segments

from .runtime import Runtime


@dataclass
class FileReport:
    """How one file went."""

    source: str
    output: str
    status: str = "ok"
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None


def plan(paths: list[Path], outdir: Path) -> list[tuple[Path, Path]]:
    """Pair every input file with its output path; folders are walked and mirrored."""
    outdir = outdir.resolve()
    pairs = []
    for path in paths:
        if not path.exists():
            raise InputError(f"{path} does not exist")
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if file.suffix.lower() in FORMATS and outdir not in file.resolve().parents:
                    pairs.append((file, outdir / path.resolve().name / file.relative_to(path)))
        else:
            pairs.append((path, outdir / path.name))
    for source, output in pairs:
        if source.resolve() == output.resolve():
            raise InputError(f"{output} is an input file; choose another output folder")
    return pairs


def write_atomically(path: Path, data: bytes) -> None:
    """Write through a temporary file and a rename, so a killed run leaves no half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def count_segments(source: Path) -> int:
    """Segments in a file (0 when it cannot be read; the translation pass reports why)."""
    try:
        return len(load_file(source.read_bytes(), source.name).segments)
    except (DragomanError, OSError):
        return 0


async def translate_file(
    translator: Translator, source: Path, output: Path, target: str, origin: str
) -> FileReport:
    """Translate one file; errors end up in its report, never stop the batch."""
    report = FileReport(str(source), str(output))
    started = time.monotonic()
    try:
        data = await asyncio.to_thread(source.read_bytes)
        document = await asyncio.to_thread(load_file, data, source.name)
        done = await translate_segments(translator, document, TranslateRequest("", target, origin))
        await asyncio.to_thread(write_atomically, output, document.to_bytes())
        report.status, report.counts = done.status, done.counts
    except (DragomanError, OSError) as exc:
        report.status, report.error = "failed", getattr(exc, "message", None) or str(exc)
    report.seconds = round(time.monotonic() - started, 2)
    return report


async def run_batch(
    runtime: Runtime,
    pairs: list[tuple[Path, Path]],
    target: str,
    origin: str,
    jobs: int,
    console: Console,
) -> list[FileReport]:
    """Translate files, up to `jobs` at a time, showing documents and segments done and an ETA."""
    totals = [count_segments(source) for source, _ in pairs]
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"), TimeRemainingColumn()]  # fmt: skip
    with Progress(*columns, console=console, transient=False) as progress:
        documents = progress.add_task("documents", total=len(pairs), rate="")
        segments = progress.add_task("segments", total=sum(totals), rate="")
        started = time.monotonic()

        def advance(count: int) -> None:
            progress.advance(segments, count)
            done = progress.tasks[segments].completed
            progress.update(
                segments, rate=f"{done / max(time.monotonic() - started, 1e-6):.1f} seg/s"
            )

        translator = runtime.translator(concurrency=jobs, progress=advance)
        gate = asyncio.Semaphore(jobs)

        async def one(source: Path, output: Path) -> FileReport:
            async with gate:
                progress.update(documents, description=f"documents (now: {source.name})")
                report = await translate_file(translator, source, output, target, origin)
                progress.advance(documents)
                return report

        return list(await asyncio.gather(*(one(s, o) for s, o in pairs)))


def summary(reports: list[FileReport]) -> Table:
    """A table of files with their segment statuses and time."""
    table = Table(title="Dragoman batch translation")
    for column in ("file", "ok", "repaired", "fallback", "failed", "seconds", "note"):
        table.add_column(column, justify="right" if column not in ("file", "note") else "left")
    for r in reports:
        counts = [str(r.counts.get(s, 0)) for s in ("ok", "repaired", "fallback", "failed")]
        table.add_row(r.source, *counts, f"{r.seconds:.1f}", r.error or "")
    return table


def write_report(path: Path, reports: list[FileReport], seconds: float) -> None:
    """The summary as JSON."""
    totals: dict[str, int] = {}
    for r in reports:
        for status, n in r.counts.items():
            totals[status] = totals.get(status, 0) + n
    body = {"files": [asdict(r) for r in reports], "totals": totals, "seconds": round(seconds, 2)}
    write_atomically(path, json.dumps(body, indent=2, ensure_ascii=False).encode())
