"""Batch translation of files and folders: progress, atomic writes, a summary and a report."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from dragoman.chains import ArchiveLimits, DragomanError, InputError, is_translatable
from dragoman.chains.translate import STATUSES, Status, Translator

from .files import write_atomically
from .runtime import Runtime
from .translation import archive_limits, translate_file_bytes


@dataclass
class FileReport:
    """How one file went."""

    source: str
    output: str
    status: Status = "ok"
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None
    reasons: list[str] = field(default_factory=list)  # why segments were kept or fell back


def plan(paths: list[Path], outdir: Path) -> list[tuple[Path, Path]]:
    """Pair every input file with its output path; folders are walked and mirrored."""
    outdir = outdir.resolve()
    pairs = []
    for path in paths:
        if not path.exists():
            raise InputError(f"{path} does not exist")
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if is_translatable(file.name) and outdir not in file.resolve().parents:
                    pairs.append((file, outdir / path.resolve().name / file.relative_to(path)))
        else:
            pairs.append((path, outdir / path.name))
    for source, output in pairs:
        if source.resolve() == output.resolve():
            raise InputError(f"{output} is an input file; choose another output folder")
    return pairs


async def translate_file(
    translator: Translator,
    source: Path,
    output: Path,
    target: str,
    origin: str,
    limits: ArchiveLimits,
    parsed: Callable[[int], None] | None = None,
    encoding: str | None = None,
) -> FileReport:
    """Translate one file (a text format in `encoding` when named); errors end up in its
    report, never stop the batch."""
    report = FileReport(str(source), str(output))
    started = time.monotonic()
    try:
        data = await asyncio.to_thread(source.read_bytes)
        translated, done = await translate_file_bytes(
            translator, data, source.name, target, limits, origin, parsed, None, encoding
        )
        await asyncio.to_thread(write_atomically, output, translated)
        report.status, report.counts, report.reasons = done.status, done.counts, done.reasons
    except (DragomanError, OSError) as exc:
        report.status, report.error = "failed", getattr(exc, "message", None) or str(exc)
    report.seconds = round(time.monotonic() - started, 2)
    return report


class BatchProgress:
    """Documents and segments done, segments per second and an ETA, on a rich progress display.
    The segment total grows as files are parsed, and is exact once every file has been."""

    def __init__(self, progress: Progress, files: int, lines_every: float) -> None:
        self.progress = progress
        self.files = files
        # Off a terminal (a log, CI, `nohup`) rich shows nothing until the end: a line now and
        # then says how far a long document has come.
        self.lines_every = None if progress.console.is_terminal else lines_every
        self.last_line = time.monotonic()
        self.documents = progress.add_task("documents", total=files, rate="")
        self.segments = progress.add_task("segments", total=None, rate="")
        self.started = time.monotonic()
        self.parsed_files = 0
        self.parsed_segments = 0

    def parsed(self, count: int) -> None:
        """A file was parsed into `count` segments (0 when it could not be read)."""
        self.parsed_files += 1
        self.parsed_segments += count
        if self.parsed_files == self.files:
            self.progress.update(self.segments, total=self.parsed_segments)

    def advance(self, count: int) -> None:
        """`count` more segments are done."""
        self.progress.advance(self.segments, count)
        done = self.progress.tasks[self.segments].completed
        rate = done / max(time.monotonic() - self.started, 1e-6)
        self.progress.update(self.segments, rate=f"{rate:.1f} seg/s")
        if self.lines_every is not None and time.monotonic() - self.last_line >= self.lines_every:
            self.last_line = time.monotonic()
            self.progress.console.print(self.line(done, rate), highlight=False)

    def line(self, done: float, rate: float) -> str:
        """Progress as one line of text: segments done, of how many, the rate and time left."""
        total = self.progress.tasks[self.segments].total
        left = f", about {(total - done) / rate:.0f} s left" if total and rate else ""
        of = f" of {total:.0f}" if total else ""
        return f"progress: {done:.0f}{of} segments, {rate:.2f} segments/s{left}"

    def working_on(self, name: str) -> None:
        """Show the file being translated."""
        self.progress.update(self.documents, description=f"documents (now: {name})")

    def file_done(self) -> None:
        """One more document is finished."""
        self.progress.advance(self.documents)


def progress_display(console: Console, transient: bool = False) -> Progress:
    """The progress bars of a translation run on `console`."""
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"), TimeRemainingColumn()]  # fmt: skip
    return Progress(*columns, console=console, transient=transient)


async def run_batch(
    runtime: Runtime,
    pairs: list[tuple[Path, Path]],
    target: str,
    origin: str,
    jobs: int,
    console: Console,
    encoding: str | None = None,
) -> list[FileReport]:
    """Translate files, up to `jobs` at a time, each parsed once, with progress on `console`;
    text formats are read in `encoding` when one is named."""
    with progress_display(console) as display:
        shown = BatchProgress(display, len(pairs), runtime.settings.progress_every)
        translator = runtime.translator(concurrency=jobs, progress=shown.advance)
        limits = archive_limits(runtime.settings)
        gate = asyncio.Semaphore(jobs)

        async def one(source: Path, output: Path) -> FileReport:
            async with gate:
                shown.working_on(source.name)
                seen: list[int] = []

                def parsed(count: int) -> None:
                    seen.append(count)
                    shown.parsed(count)

                report = await translate_file(
                    translator, source, output, target, origin, limits, parsed, encoding
                )
                if not seen:  # the file could not be read: it adds no segments
                    shown.parsed(0)
                shown.file_done()
                return report

        return list(await asyncio.gather(*(one(s, o) for s, o in pairs)))


def summary(reports: list[FileReport]) -> Table:
    """A table of files with their segment statuses and time."""
    table = Table(title="Dragoman batch translation")
    for column in ("file", *STATUSES, "seconds", "note"):
        table.add_column(column, justify="right" if column not in ("file", "note") else "left")
    for r in reports:
        counts = [str(r.counts.get(s, 0)) for s in STATUSES]
        table.add_row(r.source, *counts, f"{r.seconds:.1f}", r.error or _note(r.reasons))
    return table


def _note(reasons: list[str], shown: int = 2) -> str:
    """A file's reasons for the summary table: the first few, and how many more the report has."""
    more = f"; and {len(reasons) - shown} more (see --report)" if len(reasons) > shown else ""
    return "; ".join(reasons[:shown]) + more


def write_report(path: Path, reports: list[FileReport], seconds: float) -> None:
    """The summary as JSON."""
    totals: dict[str, int] = {}
    for r in reports:
        for status, n in r.counts.items():
            totals[status] = totals.get(status, 0) + n
    body = {"files": [asdict(r) for r in reports], "totals": totals, "seconds": round(seconds, 2)}
    write_atomically(path, json.dumps(body, indent=2, ensure_ascii=False).encode())
