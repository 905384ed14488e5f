"""Subtitles as people have them (tests/files/SOURCES.md): legacy encodings, byte-order marks
and CRLF line ends survive translation, timecodes stay as they were, and the CLI picks the
format by extension whether or not it writes to a folder."""

from __future__ import annotations

import codecs
import re
import subprocess
import sys
from pathlib import Path

from dragoman.chains.formats import load_file
from tests.documents import limits

FILES = Path(__file__).parent / "files"
FILM = FILES / "pysrt-windows-1252.srt"
TIMING = re.compile(rb"^\d\d:\d\d:\d\d,\d{3} --> .*$", re.MULTILINE)
CLI = [sys.executable, "-c", "from dragoman.services.cli import main; main()"]


def test_a_file_read_and_written_untranslated_is_the_same_bytes() -> None:
    # Before #35: windows-1252 was refused as "not valid UTF-8", the mark was dropped.
    for path in (FILM, FILES / "pysrt-bom-utf-8.srt"):
        data = path.read_bytes()
        document = load_file(data, path.name, limits())
        assert len(document.segments) > 5
        assert document.to_bytes() == data, path.name


def test_a_legacy_encoded_film_is_read_as_french_with_its_accents() -> None:
    document = load_file(FILM.read_bytes(), FILM.name, limits())
    texts = [s.text for s in document.segments]
    assert "CE FILM RELATE DES ÉVÉNEMENTS<x1/>QUI ONT EXISTÉ." in texts  # a line break kept
    assert document.encoding == "windows-1252"  # type: ignore[attr-defined]


def _translate(tmp_path: Path, source: Path, *options: str) -> subprocess.CompletedProcess:
    args = [*CLI, "translate", str(source), "--to", "en", "--backend", "pseudo", *options]
    return subprocess.run(args, capture_output=True, cwd=tmp_path, timeout=300, check=False)


def test_a_film_translated_into_a_folder_keeps_timecodes_and_line_ends(tmp_path: Path) -> None:
    done = _translate(tmp_path, FILM, "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr.decode()
    source, written = FILM.read_bytes(), (tmp_path / "out" / FILM.name).read_bytes()
    # The pseudo translation has letters windows-1252 lacks: written in UTF-8, and marked so.
    assert written.startswith(codecs.BOM_UTF8)
    assert TIMING.findall(written.replace(b"\r", b"")) == TIMING.findall(source.replace(b"\r", b""))
    assert written.count(b"\r\n") == source.count(b"\r\n") and b"\n" not in written.replace(
        b"\r\n", b""
    )
    assert "ÉVÉNEMENTS" not in written.decode("utf-8-sig")


def test_subtitles_printed_to_stdout_are_read_as_subtitles(tmp_path: Path) -> None:
    # Before #35 an .srt without -o was read as plain text: its timecode lines were translated.
    done = _translate(tmp_path, FILM)
    assert done.returncode == 0, done.stderr.decode()
    source = FILM.read_bytes()
    assert TIMING.findall(done.stdout.replace(b"\r", b"")) == TIMING.findall(
        source.replace(b"\r", b"")
    )
    assert done.stdout.count(b"\r\n") == source.count(b"\r\n")


def test_a_word_file_without_a_folder_is_one_line_saying_what_to_do(tmp_path: Path) -> None:
    # Before #35: "is not valid UTF-8 text (byte 16)".
    from tests.hostile import docx

    path = tmp_path / "letter.docx"
    path.write_bytes(docx("Hallo Welt"))
    done = _translate(tmp_path, path)
    lines = done.stderr.decode().strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "-o OUTDIR" in lines[0], lines


def test_one_long_line_printed_to_a_pipe_stays_one_line(tmp_path: Path) -> None:
    # Before #35 a file's last newline made its one line look hard-wrapped: 120 characters came
    # out as two lines (the README's own `> out.txt` example).
    line = "Der schnelle braune Fuchs springt über den faulen Hund und geht danach nach Hause, "
    line += "um dort lange zu schlafen."
    path = tmp_path / "post.txt"
    path.write_text(line + "\n", encoding="utf-8")
    done = _translate(tmp_path, path)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.count(b"\n") == 1 and done.stdout.endswith(b"\n")


def test_simplified_chinese_in_gb2312_is_read_and_written_back_alike() -> None:
    cues = [
        "我们明天去北京看看长城，好吗？",
        "当然可以，我已经买好火车票了。",
        "这部电影的字幕是用简体中文写的。",
    ]
    srt = "".join(
        f"{n}\r\n00:00:0{n},000 --> 00:00:0{n + 1},000\r\n{cue}\r\n\r\n"
        for n, cue in enumerate(cues, 1)
    )
    document = load_file(srt.encode("gb2312"), "film.srt", limits())
    assert [s.text for s in document.segments] == cues
    assert document.to_bytes() == srt.encode("gb2312")
