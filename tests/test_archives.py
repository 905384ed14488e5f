"""Hostile zip containers (.docx, .epub): refused from their directory, before anything inflates,
with a clear answer on every way in; honest documents still pass."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dragoman.chains import ArchiveLimits, InputError, InputTooLarge, load_file
from dragoman.services.api.app import create_app
from dragoman.services.settings import Settings
from tests.conftest import AUTH
from tests.documents import limits, make_docx, make_epub

SMALL = ArchiveLimits(entries=50, entry_bytes=4 << 20, total_bytes=8 << 20, ratio=50)
MB = 1 << 20


def bomb(kind: str, inflated: int, base: bytes | None = None) -> bytes:
    """A real document whose main XML part is followed by `inflated` bytes of one letter,
    streamed into the archive 1 MB at a time (the bomb is small, its making is too)."""
    base = base or (make_docx([[("Hallo", "")]]) if kind == "docx" else make_epub({"k.xhtml": "<p>Hallo</p>"}))  # fmt: skip
    target = "word/document.xml" if kind == "docx" else "EPUB/k.xhtml"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            if info.filename != target:
                archive.writestr(info, source.read(info))
                continue
            head = source.read(info)
            packed = zipfile.ZipInfo(target)
            packed.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(packed, "w", force_zip64=True) as entry:
                entry.write(head)
                for _ in range(inflated // MB):
                    entry.write(b" " * MB)
    return out.getvalue()


def zip_of(entries: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate names it writes
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in entries:
                archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["docx", "epub"])
def test_a_300_mb_bomb_is_refused_before_it_inflates(kind: str) -> None:
    data = bomb(kind, 300 * MB)
    assert len(data) < 1 * MB
    with pytest.raises(InputTooLarge, match="inflates to|compressed"):
        load_file(data, f"bomb.{kind}", limits())


@pytest.mark.parametrize("kind", ["docx", "epub"])
def test_a_ratio_no_document_has_is_refused_under_the_size_limits(kind: str) -> None:
    with pytest.raises(InputTooLarge, match=r"compressed \d+ to 1"):
        load_file(bomb(kind, 3 * MB), f"bomb.{kind}", SMALL)


@pytest.mark.parametrize("kind", ["docx", "epub"])
def test_honest_documents_pass_the_same_limits(kind: str) -> None:
    data = make_docx([[("Hallo Welt", "")]]) if kind == "docx" else make_epub({"k.xhtml": "<p>Hallo Welt</p>"})  # fmt: skip
    assert "Hallo Welt" in [s.text for s in load_file(data, f"ok.{kind}", SMALL).segments]


@pytest.mark.parametrize(
    ("entries", "error", "says"),
    [
        ([(f"f{n}.xml", b"x") for n in range(51)], InputTooLarge, "51 entries"),
        ([("../../etc/evil", b"x")], InputError, "outside itself"),
        ([("/etc/evil", b"x")], InputError, "outside itself"),
        ([("C:/evil", b"x")], InputError, "outside itself"),
        ([("word/document.xml", b"a"), ("word/document.xml", b"b")], InputError, "twice"),
        ([("a.xml", b"x" * (5 * MB))], InputTooLarge, "inflates to"),
        ([(f"p{n}.bin", os.urandom(3 * MB)) for n in range(3)], InputTooLarge, "more than"),
    ],
    ids=["entries", "climbs-out", "absolute", "drive", "duplicate", "entry-size", "total"],
)
@pytest.mark.parametrize("kind", ["docx", "epub"])
def test_unsafe_directories_are_refused(kind: str, entries, error, says) -> None:
    with pytest.raises(error, match=says):
        load_file(zip_of(entries), f"x.{kind}", SMALL)


def test_not_a_zip_is_an_input_error_not_a_crash() -> None:
    for kind in ("docx", "epub"):
        with pytest.raises(InputError, match="not a readable"):
            load_file(b"PK\x03\x04 broken", f"x.{kind}", SMALL)


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    settings = Settings(backend="pseudo", data_dir=tmp_path, warm_up=False)
    return TestClient(create_app(settings), raise_server_exceptions=False, headers=AUTH)


@pytest.mark.parametrize("kind", ["docx", "epub"])
def test_every_api_answers_a_bomb_with_413_in_its_own_dialect(client, kind: str) -> None:
    data = bomb(kind, 300 * MB)
    with client:
        libre = client.post("/translate_file", data={"target": "en"}, files={"file": (f"b.{kind}", data)})  # fmt: skip
        ours = client.post("/v1/documents", data={"target": "en"}, files={"file": (f"b.{kind}", data)})  # fmt: skip
    assert libre.status_code == 413 and "inflates to" in libre.json()["error"]
    assert ours.status_code == 413
    assert ours.json()["error"]["code"] == "input_too_large"


def test_the_cli_fails_a_bomb_with_its_reason_and_translates_the_rest(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "bomb.docx").write_bytes(bomb("docx", 300 * MB))
    (source / "gut.docx").write_bytes(make_docx([[("Hallo Welt", "")]]))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "dragoman.services.cli",
            "translate",
            str(source),
            "--to",
            "en",
            "--backend",
            "pseudo",
            "-o",
            str(tmp_path / "out"),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DRAGOMAN_DATA_DIR": str(tmp_path / "data")},
    )
    assert done.returncode == 4
    (failed,) = [line for line in done.stderr.splitlines() if line.startswith("failed:")]
    assert "bomb.docx" in failed and "inflates to" in failed
    written = sorted(p.name for p in (tmp_path / "out").rglob("*.docx"))
    assert written == ["gut.docx"]  # the other file translated; no half-written bomb
