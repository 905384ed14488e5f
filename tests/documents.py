"""Small documents of every binary format, built in the tests."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from typing import Any

import docx
from ebooklib import epub


def make_docx(paragraphs: list[list[tuple[str, str]]]) -> bytes:
    """A .docx whose paragraphs are runs of (text, style) with style "", "b" or "i"."""
    document = docx.Document()
    for runs in paragraphs:
        paragraph = document.add_paragraph()
        for text, style in runs:
            run = paragraph.add_run(text)
            run.bold = style == "b" or None
            run.italic = style == "i" or None
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Zelle eins", "Zelle zwei"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_epub(chapters: dict[str, str]) -> bytes:
    """An .epub with one XHTML chapter per entry (file name → body HTML)."""
    book = epub.EpubBook()
    book.set_identifier("dragoman-test")
    book.set_title("Testbuch")
    book.set_language("de")
    items = []
    for name, body in chapters.items():
        item = epub.EpubHtml(title=name, file_name=name, lang="de")
        item.content = f"<html><body>{body}</body></html>"
        book.add_item(item)
        items.append(item)
    book.toc = items
    book.spine = ["nav", *items]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    out = io.BytesIO()
    epub.write_epub(out, book)
    return out.getvalue()


def rewrite(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """The zip `data` with its entry `name` replaced by change(its bytes), the others as they were."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            body = source.read(info)
            archive.writestr(info, change(body) if info.filename == name else body)
    return out.getvalue()


def with_doctype(xml: bytes, doctype: bytes) -> bytes:
    """`xml` declaring `doctype` right after its XML declaration, in place of any it had."""
    found = re.match(rb"(<\?xml[^>]*\?>)?\s*(<!DOCTYPE[^>]*>\s*)?", xml)
    assert found is not None
    return (found.group(1) or b"") + b"\n" + doctype + b"\n" + xml[found.end() :]


_WORD = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def make_docx_body(body: str) -> bytes:
    """A .docx whose document body is the WordprocessingML `body`, written as it is (a document
    of 100,000 paragraphs is made in a moment, which python-docx takes minutes for)."""
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{_WORD}"><w:body>{body}<w:sectPr/></w:body></w:document>'
    )
    return rewrite(make_docx([]), "word/document.xml", lambda _: document.encode())


SRT = """1
00:00:01,000 --> 00:00:03,000
Hallo, wie geht es dir?

2
00:00:04,000 --> 00:00:06,500
<i>Ich bin hier</i>
und warte auf dich.
"""


def limits() -> Any:
    """The archive limits `dragoman serve` applies by default."""
    from dragoman.services.settings import Settings
    from dragoman.services.translation import archive_limits

    return archive_limits(Settings())
