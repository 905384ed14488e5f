"""Batch translation of a folder of every format, and resuming a run that was killed midway."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import docx
import pytest

from tests.corpus import CORPUS
from tests.documents import SRT, make_docx, make_epub
from tests.fakes import FakeOpenAIServer
from tests.trees import browser_tree

PAGES = [
    "harvest/forum-ubuntuusers-de-topic-ubuntu-lst-18-04-newbie.html",
    "trafilatura/auto-presse-de-autonews-php-newsid-6486285.html",  # windows-1252
]
XHTML = "{http://www.w3.org/1999/xhtml}"
OPS = "{http://www.idpf.org/2007/ops}"


def dragoman(*args: str, env: dict[str, str] | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dragoman.services.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
        **kw,
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    source = tmp_path / "in"
    (source / "pages").mkdir(parents=True)
    for page in PAGES:
        shutil.copy(CORPUS / "html" / page, source / "pages" / Path(page).name)
    (source / "notes.md").write_text(
        "# Notizen\n\nSiehe [die Doku](https://x.org) und `make test`.\n", encoding="utf-8"
    )
    (source / "brief.txt").write_text("Hallo Anna,\n\nwie geht es dir?\n", encoding="utf-8")
    (source / "film.srt").write_text(SRT, encoding="utf-8")
    (source / "bericht.docx").write_bytes(
        make_docx([[("Das ist ", ""), ("fett", "b"), (" und ", ""), ("kursiv", "i"), (".", "")]])
    )
    (source / "buch.epub").write_bytes(
        make_epub({"k1.xhtml": "<h1>Kapitel eins</h1><p>Hallo <b>Welt</b>.</p>"})
    )
    (source / "bild.png").write_bytes(b"\x89PNG not a document")
    return source


def test_folder_of_every_format(folder: Path, tmp_path: Path) -> None:
    if not (CORPUS / "html").exists():
        pytest.skip("shared corpus not found")
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    out = tmp_path / "out"
    result = dragoman(
        "translate",
        str(folder),
        "--to",
        "en",
        "--from",
        "de",
        "-o",
        str(out),
        "--backend",
        "pseudo",
        "--report",
        str(tmp_path / "report.json"),
        env={"DRAGOMAN_DATA_DIR": str(tmp_path / "data")},
    )
    assert result.returncode == 0, result.stderr
    assert {
        p: p.read_bytes() for p in folder.rglob("*") if p.is_file()
    } == before  # inputs untouched
    made = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert made == sorted(f"in/{p.relative_to(folder)}" for p in before if p.suffix != ".png")
    assert not list(out.rglob("*.part"))
    root = out / "in"
    for page in PAGES:
        name = Path(page).name
        original = (CORPUS / "html" / page).read_bytes()
        translated = (root / "pages" / name).read_bytes()
        encoding = "windows-1252" if "auto-presse" in name else "utf-8"
        source = original.decode(encoding)
        assert browser_tree(translated, like=source, text=False) == browser_tree(
            original, like=source, text=False
        )
        # Pseudo text does not fit windows-1252: the page is written as UTF-8 and says so.
        assert "[" in translated.decode("utf-8")
    assert (
        root / "notes.md"
    ).read_text() == "# \\[Ñöţîžéñ\\]\n\n\\[Šîéĥé [đîé Đöķû](https://x.org) ûñđ `make test`.\\]\n"
    assert (root / "brief.txt").read_text() == "[Ĥàĺĺö Àññà,]\n\n[ŵîé ĝéĥţ éš đîŕ?]\n"
    srt = (root / "film.srt").read_text()
    assert "00:00:04,000 --> 00:00:06,500\n[<i>Îçĥ ƀîñ ĥîéŕ</i>\nûñđ ŵàŕţé àûƒ đîçĥ.]" in srt
    runs = [
        (r.text, r.bold, r.italic) for r in docx.Document(root / "bericht.docx").paragraphs[0].runs
    ]
    assert runs == [
        ("[Đàš îšţ ", None, None),
        ("ƒéţţ", True, None),
        (" ûñđ ", None, None),
        ("ķûŕšîṽ", None, True),
        (".]", None, None),
    ]
    with zipfile.ZipFile(root / "buch.epub") as book:
        assert book.infolist()[0].filename == "mimetype"
        assert book.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        chapter = ElementTree.fromstring(book.read("EPUB/k1.xhtml"))
        nav = ElementTree.fromstring(book.read("EPUB/nav.xhtml"))
    # The tree, namespaces included, not how an XML library spells it.
    assert chapter.tag == f"{XHTML}html"
    (h1,) = chapter.iter(f"{XHTML}h1")
    (bold,) = chapter.iter(f"{XHTML}b")
    assert "".join(h1.itertext()) == "[Ķàþîţéĺ éîñš]" and bold.text == "Ŵéĺţ"
    assert any(n.get(f"{OPS}type") == "toc" for n in nav.iter(f"{XHTML}nav"))
    report = json.loads((tmp_path / "report.json").read_text())
    assert len(report["files"]) == 7 and report["totals"]["ok"] > 100
    assert all(f["status"] == "ok" for f in report["files"])
    assert "Dragoman batch translation" in result.stderr


def test_bad_documents_fail_alone_and_the_exit_status_says_so(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "kaputt.docx").write_bytes(b"not a zip at all")
    (source / "gut.md").write_text("Hallo Welt.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = dragoman(
        "translate", str(source), "--to", "en", "--from", "de", "-o", str(out),
        "--backend", "pseudo", env={"DRAGOMAN_DATA_DIR": str(tmp_path / "data")},
    )  # fmt: skip
    assert result.returncode == 4
    assert "1 of 2 files had failures" in result.stderr and "not a readable .docx" in result.stderr
    assert (out / "in" / "gut.md").read_text() == "\\[Ĥàĺĺö Ŵéĺţ.\\]\n"
    assert not (out / "in" / "kaputt.docx").exists()


def test_output_inside_input_never_overwrites(tmp_path: Path) -> None:
    page = tmp_path / "a.md"
    page.write_text("Hallo.\n")
    result = dragoman(
        "translate", str(page), "--to", "en", "-o", str(tmp_path), "--backend", "pseudo"
    )
    assert (
        result.returncode == 2
        and "is an input file" in result.stderr
        and page.read_text() == "Hallo.\n"
    )


def upper_reply(body: dict) -> str:
    """Answer a single-segment chat prompt: the fenced text in upper case, placeholders kept."""
    text = re.search(
        r"<source[^>]*>\n(.*)\n</source>", body["messages"][-1]["content"], re.S
    ).group(1)
    return re.sub(r"(</?[a-z]\d+/?>)|([^<]+|<)", lambda m: m.group(1) or m.group(2).upper(), text)


def test_killed_run_resumes_without_redoing_finished_segments(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    for n in range(4):
        (source / f"post{n}.md").write_text(
            "".join(f"Satz {n}-{k} im Beitrag.\n\n" for k in range(6)), encoding="utf-8"
        )
    out = tmp_path / "out"
    release = threading.Event()

    def held_after_eight(body: dict) -> str:
        # The ninth request is held until the run that sent it has been killed.
        if len(server.requests) > 8:
            release.wait(timeout=60)
        return upper_reply(body)

    with FakeOpenAIServer(reply=held_after_eight) as server:
        env = {
            **os.environ,
            "DRAGOMAN_DATA_DIR": str(tmp_path / "data"),
            "DRAGOMAN_BATCH_SEGMENTS": "1",
        }
        args = [sys.executable, "-m", "dragoman.services.cli", "translate", str(source),
                "--to", "en", "--from", "de", "-o", str(out),
                "--backend", "llama-server", "--base-url", server.base_url]  # fmt: skip
        with subprocess.Popen(
            args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        ) as first:
            server.wait_for_requests(9, alive=lambda: first.poll() is None)
            first.send_signal(signal.SIGKILL)
            first.wait()
        release.set()
        killed_at = len(server.requests)
        assert killed_at == 9
        second = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
        assert second.returncode == 0, second.stderr
        redone = len(server.requests) - killed_at
        assert redone == 24 - 8  # the eight answered segments came from memory
        third = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
        assert (
            third.returncode == 0 and len(server.requests) == killed_at + redone
        )  # all from memory
    assert (out / "in" / "post3.md").read_text().startswith("SATZ 3-0 IM BEITRAG.\n\n")


@pytest.mark.parametrize("terminal", [False, True])
def test_progress_off_a_terminal_is_lines_now_and_then(terminal: bool) -> None:
    # Before #35 a run whose output was not a terminal showed its progress only at the end.
    import io

    from rich.console import Console

    from dragoman.services.batch import BatchProgress, progress_display

    out = io.StringIO()
    console = Console(file=out, force_terminal=terminal, width=100)
    with progress_display(console) as display:
        shown = BatchProgress(display, 1, lines_every=1e-9)
        shown.parsed(10)
        for _ in range(5):
            shown.advance(2)
    lines = re.findall(r"progress: (\d+) of 10 segments, [\d.]+ segments/s", out.getvalue())
    assert lines == ([] if terminal else ["2", "4", "6", "8", "10"])
