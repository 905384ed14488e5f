"""The README's shell examples, run as written against a served `dragoman serve`.

Each ```sh block is run by bash with `-e -o pipefail` in a folder holding the files the examples
name, with `.venv` linking this environment and `curl` failing on any HTTP error (`--fail-with-
body`), so an example that answers 401 fails here as it would fail a newcomer. Only the port
differs from the text: the instance listens on a free port, not 8787. A block that cannot run on
a test machine says why in an HTML comment right above it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from markdown_it import MarkdownIt

from tests.documents import make_docx
from tests.fakes import free_port
from tests.live import wait_until

README = Path(__file__).resolve().parents[1] / "README.md"
SKIP_MARK = "not run by make test:"
DEFAULT_ADDRESS = "127.0.0.1:8787"


@dataclass(frozen=True)
class Example:
    line: int
    script: str
    skipped: str | None  # the reason given above the block, if it is not run


def readme_examples() -> list[Example]:
    """Every ```sh block of the README, with the reason it is not run, if one is given."""
    tokens = MarkdownIt().parse(README.read_text(encoding="utf-8"))
    examples = []
    for before, token in zip([None, *tokens], tokens, strict=False):
        if token.type != "fence" or token.info.strip() != "sh":
            continue
        comment = before.content if before is not None and before.type == "html_block" else ""
        reason = comment.split(SKIP_MARK, 1)[1].strip(" ->\n") if SKIP_MARK in comment else None
        line = token.map[0] + 1 if token.map else 0
        examples.append(Example(line, token.content, reason))
    return examples


EXAMPLES = readme_examples()
RUN = [e for e in EXAMPLES if e.skipped is None]


def test_the_readme_runs_most_of_its_examples_and_says_why_not_the_rest() -> None:
    assert len(RUN) >= 6, [e.line for e in RUN]
    assert all(e.skipped for e in EXAMPLES if e not in RUN)  # a reason, never an empty mark
    assert any("Authorization: Bearer" in e.script for e in RUN)


def write_files(folder: Path, home: Path) -> None:
    """The files the examples name, as a user would have them."""
    (folder / "post.txt").write_text("Mein Computer startet nicht mehr.\n", encoding="utf-8")
    (folder / "page.html").write_text(
        '<p>Klicken Sie <a href="/hilfe">hier</a>, um <b>Hilfe</b> zu bekommen.</p>\n',
        encoding="utf-8",
    )
    (folder / "mail.txt").write_text(
        "Hi Sam,\n\nThe report were sent yesterday by the team.\n\n-- \nAlex\n", encoding="utf-8"
    )
    (folder / "notes.md").write_text("# Notes\n\nThis are my notes.\n", encoding="utf-8")
    report = make_docx([[("Der Bericht ist ", ""), ("fertig", "b"), (".", "")]])
    (folder / "report.docx").write_bytes(report)
    shutil.copy(README, folder / "README.md")
    (home / "docs").mkdir(parents=True)
    (home / "docs" / "hello.md").write_text("Guten Tag, *Welt*.\n", encoding="utf-8")
    (home / "docs" / "page.html").write_text("<p>Noch ein Satz.</p>\n", encoding="utf-8")
    (home / "more").mkdir()
    (home / "more" / "report.docx").write_bytes(report)


def user_environment(home: Path, tools: Path) -> dict[str, str]:
    """A new user's environment: their own home, no DRAGOMAN_* but the backend the tests use."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DRAGOMAN_", "XDG_"))}
    env["HOME"] = str(home)
    env["PATH"] = f"{tools}{os.pathsep}{env.get('PATH', '')}"
    # The examples' shape, not the model, is under test; the e2e tier drives the real model.
    env["DRAGOMAN_BACKEND"] = "pseudo"
    return env


def strict_curl(tools: Path) -> None:
    """Put a `curl` first on PATH that fails on HTTP errors, as `curl -s` alone does not."""
    real = shutil.which("curl")
    if real is None:
        pytest.fail("curl is not installed: `make test` installs it")
    tools.mkdir()
    wrapper = tools / "curl"
    wrapper.write_text(f'#!/bin/sh\nexec {real} --fail-with-body "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)


@dataclass(frozen=True)
class Workspace:
    folder: Path
    home: Path
    env: dict[str, str]
    port: int


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """A user's folder with `.venv` and the example files, and `dragoman serve` running for it."""
    root = tmp_path_factory.mktemp("readme")
    folder, home = root / "work", root / "home"
    folder.mkdir()
    (folder / ".venv").symlink_to(Path(sys.executable).parent.parent)
    write_files(folder, home)
    strict_curl(root / "tools")
    env = user_environment(home, root / "tools")
    port = free_port()
    command = [str(folder / ".venv" / "bin" / "dragoman"), "serve", "--port", str(port)]
    log = (root / "serve.log").open("w")
    with subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=log) as process:
        try:
            wait_until(
                lambda: process.poll() is not None or health(port), 60, "dragoman serve to start"
            )
            assert process.poll() is None, (root / "serve.log").read_text(encoding="utf-8")
            yield Workspace(folder, home, env, port)
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.close()


def health(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def runs(workspace: Workspace) -> dict[int, subprocess.CompletedProcess[str]]:
    """Run every example once, in the README's order (later ones may use earlier ones' files)."""
    return {example.line: run_example(workspace, example) for example in RUN}


def run_example(workspace: Workspace, example: Example) -> subprocess.CompletedProcess[str]:
    script = example.script.replace(DEFAULT_ADDRESS, f"127.0.0.1:{workspace.port}")
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=workspace.folder,
        env=workspace.env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("example", RUN, ids=[f"README.md:{e.line}" for e in RUN])
def test_readme_example_runs_as_written(runs: dict, example: Example) -> None:
    done = runs[example.line]
    assert done.returncode == 0, f"README.md:{example.line}\n{done.stdout}\n{done.stderr}"
    assert done.stdout.strip() or done.stderr.strip()  # every example shows something


def test_readme_examples_leave_what_they_promise(workspace: Workspace, runs: dict) -> None:
    """The document API's answer is a Word file; the folder run mirrors its inputs."""
    with zipfile.ZipFile(workspace.folder / "report.en.docx") as archive:
        assert "word/document.xml" in archive.namelist()
    translated = workspace.home / "translated"
    assert sorted(p.name for p in translated.rglob("*") if p.is_file()) == [
        "hello.md",
        "page.html",
        "report.docx",
    ]
