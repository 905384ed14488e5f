"""Books as people have them (tests/files/SOURCES.md): a translated EPUB says it is in the
language it was translated into, its table of contents follows its headings, and epubcheck
finds no error in it that the original did not have."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

FILES = Path(__file__).parent / "files"
BOOK = FILES / "idpf-wasteland.epub"
EPUBCHECK = Path("/usr/share/java/epubcheck.jar")  # Debian's epubcheck (make validators)
CLI = [sys.executable, "-c", "from dragoman.services.cli import main; main()"]


@pytest.fixture(scope="module")
def translated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("books")
    args = [*CLI, "translate", str(BOOK), "--to", "fr", "-o", str(out), "--backend", "pseudo"]
    done = subprocess.run(args, capture_output=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return out / BOOK.name


def _entries(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as book:
        return {
            n: book.read(n).decode("utf-8")
            for n in book.namelist()
            if n.endswith(("ml", "ncx", "opf"))
        }


def test_the_book_says_it_is_in_the_language_it_was_translated_into(translated) -> None:
    # Before #35 dc:language and every <html lang> still said English after a German translation.
    entries = _entries(translated)
    opf = entries["EPUB/wasteland.opf"]
    assert re.findall(r"<dc:language>([^<]*)</dc:language>", opf) == ["fr"]
    roots = {
        n: re.search(r"<html\b[^>]*>", x).group() for n, x in entries.items() if n.endswith("xhtml")
    }
    assert roots and all('lang="fr"' in tag and 'xml:lang="fr"' in tag for tag in roots.values()), (
        roots
    )


def test_title_and_table_of_contents_follow_the_headings(translated) -> None:
    # Before #35 the NCX labels and the title stayed English while the headings changed.
    before, after = _entries(BOOK), _entries(translated)

    def labels(entries: dict[str, str]) -> list[str]:
        return re.findall(r"<text>([^<]*)</text>", entries["EPUB/wasteland.ncx"])

    def nav(entries: dict[str, str]) -> list[str]:
        toc = entries["EPUB/wasteland-nav.xhtml"].split('epub:type="toc"')[1].split("</nav>")[0]
        return re.findall(r"<a\b[^>]*>([^<]*)</a>", toc)

    assert labels(after) != labels(before) and "The Waste Land" not in labels(after)
    assert labels(after)[1:] == nav(after)  # the NCX's first label is the book's title
    title = re.findall(r"<dc:title>([^<]*)</dc:title>", after["EPUB/wasteland.opf"])
    assert title == [labels(after)[0]]


def test_epubcheck_finds_no_error_the_original_did_not_have(translated) -> None:
    java = shutil.which("java")
    if java is None or not EPUBCHECK.exists():
        pytest.skip("epubcheck is not installed (`make validators`)")

    def errors(path: Path) -> list[str]:
        done = subprocess.run(
            [java, "-jar", str(EPUBCHECK), str(path)], capture_output=True, timeout=300
        )
        output = done.stdout.decode() + done.stderr.decode()
        return re.findall(r"^(?:ERROR|FATAL)\(\S+\).*$", output, re.MULTILINE)

    assert errors(BOOK) == []
    assert errors(translated) == []


def test_text_drawn_in_svg_is_reported_page_by_page_never_counted_translated(tmp_path) -> None:
    # Before #35 a fixed-layout book whose text is SVG came back with only its titles changed,
    # reported as success.
    import json

    book = FILES / "idpf-sous-le-vent-svg-in-spine.epub"
    report = tmp_path / "run.json"
    args = [*CLI, "translate", str(book), "--to", "en", "-o", str(tmp_path), "--backend", "pseudo"]
    done = subprocess.run([*args, "--report", str(report)], capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode()
    (file,) = json.loads(report.read_text())["files"]
    pages = [r for r in file["reasons"] if "characters of SVG text left as they were" in r]
    with zipfile.ZipFile(book) as source:
        drawn = [n for n in source.namelist() if n.endswith(".svg") and b"<text" in source.read(n)]
    assert sorted(p.split(":")[0] for p in pages) == sorted(drawn)
    assert file["status"] == "kept" and file["counts"]["kept"] >= len(drawn)
