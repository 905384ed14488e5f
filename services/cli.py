"""The `dragoman` command line; typed errors become one readable line and an exit code here."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from rich.console import Console

from dragoman.chains import (
    FILE_FORMATS,
    TEXT_DOCUMENTS,
    DragomanError,
    InputError,
    html_bytes,
    normalize_code,
    printable_format,
    proofread_format,
)
from dragoman.chains.proofread import CHECKS, RuleFilter
from dragoman.chains.proofread import proofread as run_checks
from dragoman.chains.translate import (
    TranslateRequest,
    Translator,
    rehearse_document,
    translate_document,
)

from .api.auth import load_or_create_token
from .api.errormap import exit_code, validation_message
from .api.security import is_loopback
from .batch import BatchProgress, plan, progress_display, run_batch, summary, write_report
from .errors import ConfigError, Incomplete
from .files import read_decoded, read_text_input
from .llm.faults import backend_errors
from .proofreading import check_language, check_size, proofread_options
from .runtime import Runtime
from .settings import Settings, config_file_path, load_settings
from .tmx import import_tmx

app = typer.Typer(
    help="Local-LLM translation that keeps HTML markup, and grounded proofreading.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
memory_app = typer.Typer(help="The translation memory.", no_args_is_help=True)
app.add_typer(memory_app, name="memory")
err = Console(stderr=True, highlight=False)

Backend = Annotated[
    str | None, typer.Option(help="Backend: embedded, llama-server, ollama, openai, pseudo.")
]
BaseUrl = Annotated[str | None, typer.Option(help="URL of the backend's API.")]
Model = Annotated[str | None, typer.Option(help="Model name (embedded: path to a GGUF file).")]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Print the prompts and requests; send nothing.")
]


def _settings(
    backend: str | None, base_url: str | None, model: str | None, **more: Any
) -> Settings:
    return load_settings(backend=backend, base_url=base_url, model=model, **more)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to bind.")] = None,
    backend: Backend = None,
    base_url: BaseUrl = None,
    model: Model = None,
) -> None:
    """Start the HTTP service."""
    import uvicorn

    from .api.app import create_app

    settings = _settings(backend, base_url, model, host=host, port=port)
    runtime = Runtime(settings)
    # Connect and migrate now: a database that is down fails in one line.
    runtime.stores.database.open()
    err.print("checking model backends ...")
    # Services start in any order: a server that is not up yet makes the service degraded, not
    # absent; requests get 503 until it answers. Configuration errors still stop here.
    for url, detail in runtime.unreachable().items():
        err.print(
            f"[yellow]warning:[/] {url} does not answer ({detail}); serving degraded until it does"
        )
    for task, resolved in runtime.models.resolved.items():
        err.print(
            f"  {task}: preset {resolved.preset_name} on {resolved.backend_name} ({resolved.model})"
        )
    web = create_app(runtime=runtime)
    url = f"http://{settings.host}:{settings.port}"
    err.print(f"Dragoman is serving on {url}")
    err.print(f"  web page: {url}/?token={web.state.token}", soft_wrap=True)
    if not is_loopback(settings.host):
        err.print(f"  listening beyond this machine on {settings.host}: clients need the token")
    uvicorn.run(web, host=settings.host, port=settings.port, log_level="info")


@app.command()
def token() -> None:
    """Print the API token clients must send (made on first use, kept with mode 0600)."""
    typer.echo(load_or_create_token(load_settings()))


@app.command()
def config(
    backend: Backend = None,
    base_url: BaseUrl = None,
    model: Model = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Print the effective configuration and the model each task will use."""
    settings = _settings(backend, base_url, model)
    runtime = Runtime(settings)
    effective = {
        "config_file": str(config_file_path()),
        "settings": json.loads(settings.model_dump_json()),
        "models": {task: r.describe() for task, r in runtime.models.resolved.items()}
        | ({"verify": runtime.models.verifying.describe()} if runtime.models.verifying else {}),
    }
    if as_json:
        typer.echo(json.dumps(effective, indent=2))
        return
    typer.echo(f"# config file: {effective['config_file']}")
    for key, value in effective["settings"].items():
        typer.echo(f"{key} = {json.dumps(value)}")
    for task, described in effective["models"].items():
        typer.echo(f"\n[models.{task}]")
        for key, value in described.items():
            typer.echo(f"{key} = {json.dumps(value)}")


@app.command()
def prepare(backend: Backend = None, base_url: BaseUrl = None, model: Model = None) -> None:
    """Write the embedded model file if needed, load it once, and check every backend answers."""
    runtime = Runtime(_settings(backend, base_url, model))
    runtime.check_backends()
    for task, resolved in runtime.models.resolved.items():
        err.print(f"{task}: {resolved.preset_name} on {resolved.backend_name} ready")


@app.command()
def translate(
    sources: Annotated[
        list[str], typer.Argument(metavar="PATH...", help="Files or folders, or - for stdin.")
    ],
    to: Annotated[str, typer.Option("--to", help="Target language code.")],
    from_: Annotated[str, typer.Option("--from", help="Source language code, or auto.")] = "auto",
    fmt: Annotated[
        str | None,
        typer.Option("--format", help=f"{', '.join(TEXT_DOCUMENTS)} (default: by extension)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Folder for translated files.")
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="Model requests in flight.")] = 1,
    encoding: Annotated[
        str | None,
        typer.Option("--encoding", help="Read text files in this encoding (default: detect)."),
    ] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write a JSON report.")] = None,
    backend: Backend = None,
    base_url: BaseUrl = None,
    model: Model = None,
    dry_run: DryRun = False,
) -> None:
    """Translate files, keeping their markup: one to stdout, or any number into -o OUTDIR."""
    settings = _settings(backend, base_url, model)
    if output is not None and (dry_run or fmt):
        option = "--dry-run" if dry_run else "--format"
        raise InputError(f"{option} works on one file printed to stdout, not with -o OUTDIR")
    if output is not None:
        paths = [Path(s) for s in sources]
        _translate_batch(settings, paths, to, from_, output, jobs, report, encoding)
        return
    if len(sources) != 1 or Path(sources[0]).is_dir():
        raise InputError("give one file (or -) to print its translation, or -o OUTDIR for more")
    _translate_to_stdout(settings, sources[0], to, from_, fmt, dry_run, encoding)


def _translate_to_stdout(
    settings: Settings,
    source: str,
    to: str,
    from_: str,
    fmt: str | None,
    dry_run: bool,
    named: str | None,
) -> None:
    fmt = fmt or printable_format(source)
    legacy = fmt in FILE_FORMATS and FILE_FORMATS[fmt].legacy_encodings
    text, encoding = read_decoded(source, html=fmt == "html", legacy=legacy, encoding=named)
    requests: list[dict[str, Any]] = []
    runtime = Runtime(settings, recorder=requests.append if dry_run else None)
    request = TranslateRequest(text, to, from_, fmt)
    translator = runtime.translator()
    if dry_run:
        _print_plan(translator, request, requests)
        return
    with backend_errors(runtime.models.url("translate")), progress_display(err, True) as display:
        shown = BatchProgress(display, 1, settings.progress_every)
        translator = runtime.translator(progress=shown.advance)
        result = asyncio.run(translate_document(translator, request))
    if fmt == "html":  # a page's bytes, in the charset it declares, as a file of it would be
        sys.stdout.flush()
        sys.stdout.buffer.write(html_bytes(result.text, encoding))
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(result.text)
    if result.counts.get("kept"):  # said, so that English left in a German file is never silent
        kept, reasons = result.counts["kept"], "; ".join(result.reasons)
        typer.echo(f"note: {kept} segments kept as they were ({reasons})", err=True)
    if result.status in ("fallback", "failed"):
        counts = ", ".join(f"{n} {status}" for status, n in sorted(result.counts.items()))
        message = f"not every segment translated cleanly ({counts})"
        if result.status == "failed":
            raise Incomplete(message)
        typer.echo(f"warning: {message}", err=True)


def _translate_batch(
    settings: Settings,
    sources: list[Path],
    to: str,
    from_: str,
    output: Path,
    jobs: int,
    report: Path | None,
    encoding: str | None,
) -> None:
    pairs = plan(sources, output)
    if not pairs:
        raise InputError(f"no files to translate in {', '.join(map(str, sources))}")
    runtime = Runtime(settings)
    target = normalize_code(to)
    origin = from_ if from_ == "auto" else normalize_code(from_)
    started = time.monotonic()
    reports = asyncio.run(run_batch(runtime, pairs, target, origin, jobs, err, encoding))
    err.print(summary(reports))
    if report is not None:
        write_report(report, reports, time.monotonic() - started)
    failed = [r for r in reports if r.error or r.counts.get("failed")]
    for r in failed:
        reason = r.error or f"{r.counts['failed']} segments kept untranslated"
        typer.echo(f"failed: {r.source}: {reason}", err=True)
    if failed:
        raise Incomplete(f"{len(failed)} of {len(reports)} files had failures")


def _print_plan(
    translator: Translator, request: TranslateRequest, requests: list[dict[str, Any]]
) -> None:
    """Print each call the translation would start with: its prompt, its answer budget, and the
    request as the real run sends it (recorded on its way out, never sent)."""
    calls = asyncio.run(rehearse_document(translator, request))
    for call, sent in zip(calls, requests, strict=True):
        typer.echo("--- prompt ---")
        typer.echo(call.prompt.to_string())
        typer.echo(f"--- answer budget: {call.budget} tokens ---")
        typer.echo("--- request ---")
        typer.echo(json.dumps(sent, indent=2, ensure_ascii=False))


@app.command()
def proofread(
    source_file: Annotated[str, typer.Argument(metavar="FILE|-", help="File, or - for stdin.")],
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="text, markdown, html or email (default: from the name)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the issues as JSON.")] = False,
    language: Annotated[
        str, typer.Option("--language", help="en, en-US, en-GB… (the spelling dialect).")
    ] = "en-US",
    picky: Annotated[bool, typer.Option("--picky", help="Also show the pickier rules.")] = False,
    backend: Backend = None,
    base_url: BaseUrl = None,
    model: Model = None,
) -> None:
    """Flag grammar, passive voice and style issues, as `line:col category message → fix`."""
    fmt = fmt or proofread_format(source_file)
    text = read_text_input(source_file, html=fmt == "html")
    runtime = Runtime(_settings(backend, base_url, model))
    check_language(language)
    check_size(runtime, text)
    rules = RuleFilter.parse(level="picky" if picky else "default")
    options = proofread_options(runtime, list(CHECKS), language, rules)
    with backend_errors(runtime.models.url("proofread")):
        result = asyncio.run(run_checks(text, fmt, options, runtime.layers(options.dialect)))
    if as_json:
        issues = [dataclasses.asdict(i) for i in result.issues]
        typer.echo(json.dumps(issues, indent=2, ensure_ascii=False))
        return
    for issue in result.issues:
        line = text.count("\n", 0, issue.offset) + 1
        column = issue.offset - (text.rfind("\n", 0, issue.offset) + 1) + 1
        fix = f" → {issue.replacements[0]!r}" if issue.replacements else ""
        typer.echo(f"{source_file}:{line}:{column} {issue.rule} {issue.message}{fix}")
    typer.echo(f"{len(result.issues)} issues in {result.sentences} sentences", err=True)


@memory_app.command("import")
def import_memory(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A TMX file.")],
    from_: Annotated[str, typer.Option("--from", help="Source language code.")],
    to: Annotated[str, typer.Option("--to", help="Target language code.")],
) -> None:
    """Import a TMX file's translations of one language pair into the translation memory."""
    runtime = Runtime(load_settings())
    if runtime.stores.memory is None:
        raise InputError("the translation memory is turned off (memory = false)")
    stored = import_tmx(runtime.stores.memory, path, from_, to)
    if not stored:
        raise InputError(f"no unit of {path.name} holds both {from_} and {to} text")
    err.print(f"imported {stored} translations ({from_} → {to}) from {path.name}")


def main() -> None:
    """Run the CLI, turning typed errors into one line on stderr and a non-zero exit."""
    try:
        try:
            app()
        except ValidationError as exc:
            message = validation_message(exc.errors())
            raise ConfigError(f"invalid configuration: {message}") from exc
        except SettingsError as exc:  # a DRAGOMAN_* value pydantic-settings could not decode
            raise ConfigError(f"invalid configuration: {exc}") from exc
    except DragomanError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        sys.exit(exit_code(exc))
    except OSError as exc:
        typer.echo(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), err=True)
        sys.exit(exit_code(DragomanError(str(exc))))


if __name__ == "__main__":
    main()
