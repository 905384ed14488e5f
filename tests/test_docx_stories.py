"""Word files as people have them (pandoc's test files, tests/files/SOURCES.md): every story a
reader sees is translated (footnotes, endnotes, comments, text boxes, tracked insertions in
place, the tail of a soft line break) and what is not text stays where it was."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest

from dragoman.chains.formats import load_file
from dragoman.chains.markup.inline import parse
from dragoman.services.llm.pseudo import pseudolocalize
from tests.documents import limits

FILES = Path(__file__).parent / "files"


def _translated(name: str) -> tuple[dict[str, str], dict[str, str], bytes]:
    """The file's story parts before and after a pseudo translation, and the bytes written."""
    data = (FILES / name).read_bytes()
    document = load_file(data, name, limits())
    for segment in document.segments:
        segment.put(parse(pseudolocalize(segment.text), segment.nodes))
    out = document.to_bytes()
    return _parts(data), _parts(out), out


def _parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n).decode() for n in z.namelist() if re.fullmatch(r"word/\w+\.xml", n)}


def _texts(xml: str, tag: str = "t") -> list[str]:
    return re.findall(rf"<w:{tag}(?:\s[^>]*)?>([^<]*)</w:{tag}>", xml)


def _count(xml: str, tag: str) -> int:
    return len(re.findall(rf"<w:{tag}\b", xml))


def test_footnotes_and_endnotes_are_translated_and_stay_referenced() -> None:
    # Before #35 footnotes.xml and endnotes.xml came back unchanged, in English.
    before, after, _ = _translated("pandoc-notes.docx")
    for part, english in (("footnotes", "My note."), ("endnotes", "This is an endnote")):
        xml = after[f"word/{part}.xml"]
        assert english in "".join(_texts(before[f"word/{part}.xml"]))
        assert english not in "".join(_texts(xml)), part
        assert _count(xml, part[:-1] + "Ref") == _count(
            before[f"word/{part}.xml"], part[:-1] + "Ref"
        )
    body = after["word/document.xml"]
    for reference in ("footnoteReference", "endnoteReference"):
        assert _count(body, reference) == _count(before["word/document.xml"], reference) > 0


def test_comments_are_translated_and_their_ranges_stay_in_their_paragraphs() -> None:
    before, after, _ = _translated("pandoc-comments.docx")
    assert "I left a comment." in "".join(_texts(before["word/comments.xml"]))
    assert "I left a comment." not in "".join(_texts(after["word/comments.xml"]))

    def marks(xml: str) -> list[list[str]]:
        return [
            re.findall(r"<w:(commentRangeStart|commentRangeEnd|commentReference)\b", p)
            for p in re.findall(r"<w:p\b.*?</w:p>", xml)
        ]

    assert marks(after["word/document.xml"]) == marks(before["word/document.xml"])


def test_a_tracked_insertion_is_translated_in_place_and_stays_an_insertion() -> None:
    # Before #35: "Dieses Text mit Anmerkungen.two exciting": left in English, moved to the end.
    _, after, _ = _translated("pandoc-track_changes_insertion.docx")
    body = after["word/document.xml"]
    inserted = _texts("".join(re.findall(r"<w:ins\b.*?</w:ins>", body)))
    assert inserted and "two exciting" not in "".join(inserted)
    texts = _texts(body)
    assert texts.index(inserted[0]) == 1 and len(texts) == 3  # between the two halves


def test_deleted_text_is_left_as_it_was() -> None:
    before, after, _ = _translated("pandoc-track_changes_deletion.docx")
    deleted = _texts(before["word/document.xml"], "delText")
    assert deleted and _texts(after["word/document.xml"], "delText") == deleted


def test_the_words_after_a_soft_line_break_are_translated() -> None:
    before, after, _ = _translated("pandoc-inline_formatting.docx")
    assert "break." in _texts(before["word/document.xml"])
    assert "break." not in _texts(after["word/document.xml"])
    assert _count(after["word/document.xml"], "br") == _count(before["word/document.xml"], "br")


def test_text_in_a_shape_is_translated() -> None:
    _, after, out = _translated("pandoc-text_in_shape_format.docx")
    assert "Valter Kiisk" not in _texts(after["word/document.xml"])
    docx.Document(io.BytesIO(out))  # python-docx opens what was written


@pytest.mark.parametrize("name", sorted(p.name for p in FILES.glob("*.docx")))
def test_libreoffice_reads_every_translated_file(name: str, tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (`make validators`)")
    _, _, out = _translated(name)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / name).write_bytes(out)
    home = f"-env:UserInstallation=file://{tmp_path}/profile"
    for folder, source in (("out", tmp_path / "out" / name), ("in", FILES / name)):
        args = [soffice, home, "--headless", "--convert-to", "txt:Text"]
        args += ["--outdir", str(tmp_path / folder), str(source)]
        subprocess.run(args, capture_output=True, timeout=120, check=True)
    stem = Path(name).with_suffix(".txt").name
    original = (tmp_path / "in" / stem).read_text(encoding="utf-8-sig")
    translated = (tmp_path / "out" / stem).read_text(encoding="utf-8-sig")
    if original.strip():  # LibreOffice's text export leaves out text in shapes
        assert translated.strip() and translated != original
        assert any(c in translated for c in "ţĥéîš"), translated[:300]


def test_a_translated_file_is_marked_in_its_new_language_for_proofing() -> None:
    data = (FILES / "pandoc-inline_formatting.docx").read_bytes()
    document = load_file(data, "x.docx", limits())
    document.set_language("de")
    parts = _parts(document.to_bytes())
    values = [
        v for xml in parts.values() for v in re.findall(r'<w:lang\b[^>]*w:val="([^"]*)"', xml)
    ]
    assert values and set(values) == {"de"}
