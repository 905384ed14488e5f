"""XML that declares a document type of its own, in every XML entry Dragoman's formats read: a
.docx refuses any, an .epub any internal subset (a DTD named from outside, as EPUB 2 chapters name
XHTML's, is read without it). Never an entity expanded, a file read or a request sent, in bounded
memory, with a clear answer on every way in."""

from __future__ import annotations

import io
import socket
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dragoman.chains import DtdForbidden, InputError, load_file
from dragoman.services.api.app import create_app
from dragoman.services.settings import Settings
from tests.bounds import MB, peak_memory
from tests.conftest import AUTH
from tests.documents import limits, make_docx, make_epub, rewrite, with_doctype
from tests.trees import answer_every_segment

DOCX_ENTRIES = [
    "word/document.xml", "word/styles.xml", "[Content_Types].xml", "word/_rels/document.xml.rels",
    "customXml/item1.xml",
]  # fmt: skip
EPUB_ENTRIES = [
    "EPUB/k.xhtml", "EPUB/nav.xhtml", "EPUB/content.opf", "META-INF/container.xml",
    "EPUB/toc.ncx",
]  # fmt: skip
SECRET = "TOP-SECRET-7f3a"


@pytest.fixture
def secret(tmp_path: Path) -> str:
    """A file:// URL whose content must never show up anywhere."""
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path.as_uri()


@pytest.fixture
def listener() -> Iterator[tuple[str, socket.socket]]:
    """An http:// URL on loopback whose server only counts connections (none may come)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.setblocking(False)
        yield f"http://127.0.0.1:{server.getsockname()[1]}/evil.dtd", server


def no_connection(server: socket.socket) -> bool:
    try:
        server.accept()[0].close()
    except BlockingIOError:
        return True
    return False


def attacks(secret: str, url: str) -> dict[str, bytes]:
    """Document type declarations with an internal subset: each way XML can hurt a reader."""
    laughs = b'<!ENTITY a0 "haha">' + b"".join(
        b'<!ENTITY a%d "%s">' % (n, b"&a%d;" % (n - 1) * 10) for n in range(1, 10)
    )
    return {
        "billion-laughs": b"<!DOCTYPE r [" + laughs + b"]>",
        "file-entity": b'<!DOCTYPE r [<!ENTITY x SYSTEM "%s">]>' % secret.encode(),
        "passwd-entity": b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        "network-entity": b'<!DOCTYPE r [<!ENTITY x SYSTEM "%s">]>' % url.encode(),
        "parameter-entity": b'<!DOCTYPE r [<!ENTITY %% p SYSTEM "%s"> %%p;]>' % secret.encode(),
        "attribute-list": b"<!DOCTYPE r [<!ATTLIST r a CDATA 'b'>]>",
    }


def referring(doctype: bytes) -> bytes:
    """`doctype` with its entity referred to in the document's own text, where it says Hallo."""
    return b"&a9;" if b"a9" in doctype else b"&x;" if b"ENTITY x" in doctype else b""


def hostile(kind: str, entry: str, doctype: bytes) -> bytes:
    base = (
        make_docx([[("Hallo Welt", "")]])
        if kind == "docx"
        else make_epub({"k.xhtml": "<p>Hallo Welt</p>"})
    )
    ref = referring(doctype)
    return rewrite(
        base, entry, lambda xml: with_doctype(xml, doctype).replace(b"Hallo", b"Hallo " + ref, 1)
    )


def everything_in(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


@pytest.mark.parametrize(
    ("kind", "entry"),
    [("docx", e) for e in DOCX_ENTRIES] + [("epub", e) for e in EPUB_ENTRIES],
)
@pytest.mark.parametrize(
    "attack",
    ["billion-laughs", "file-entity", "passwd-entity", "network-entity", "parameter-entity", "attribute-list"],
)  # fmt: skip
def test_an_internal_subset_is_refused_before_any_parser_reads_it(
    kind, entry, attack, secret, listener
) -> None:
    """Before, an EPUB chapter with one came back empty, python-docx kept `&x;` and wrote a part
    no reader opens, and billion laughs was 'not a readable .docx file (XMLSyntaxError)'."""
    url, server = listener
    data = hostile(kind, entry, attacks(secret, url)[attack])
    with pytest.raises(DtdForbidden, match="document type") as refused:
        load_file(data, f"x.{kind}", limits())
    assert repr(entry) in refused.value.message
    assert SECRET not in refused.value.message and "root:" not in refused.value.message
    assert refused.value.code == "dtd_forbidden"
    assert no_connection(server)


@pytest.mark.parametrize("entry", DOCX_ENTRIES)
def test_a_docx_refuses_any_document_type_as_office_does(entry, secret) -> None:
    """The Open Packaging Conventions forbid DTDs in a package (ECMA-376 Part 2, M1.18)."""
    for doctype in (b"<!DOCTYPE r>", b'<!DOCTYPE r SYSTEM "%s">' % secret.encode()):
        with pytest.raises(DtdForbidden, match="Office documents may not"):
            load_file(hostile("docx", entry, doctype), "x.docx", limits())


@pytest.mark.parametrize("entry", EPUB_ENTRIES)
def test_an_epub_naming_an_external_dtd_is_read_without_it(entry, secret, listener) -> None:
    """EPUB 2 chapters name XHTML 1.1's DTD; it is never fetched, whatever it points at."""
    url, server = listener
    for doctype in (
        b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "%s">' % url.encode(),
        b'<!DOCTYPE html SYSTEM "%s">' % secret.encode(),
        b'<!DOCTYPE ncx PUBLIC "-//NISO//DTD ncx 2005-1//EN" "%s">' % url.encode(),
    ):
        document = load_file(hostile("epub", entry, doctype), "x.epub", limits())
        assert "Hallo Welt" in [s.text for s in document.segments]
        answer_every_segment(document.segments, lambda text: text.replace("Hallo", "Hello"))
        written = everything_in(document.to_bytes())
        assert b"Hello Welt" in written and SECRET.encode() not in written
        if entry == "EPUB/k.xhtml":  # the chapter Dragoman rewrites keeps its document type
            assert doctype in written
    assert no_connection(server)


@pytest.mark.parametrize(("kind", "entry"), [("docx", "word/document.xml"), ("epub", "EPUB/content.opf")])  # fmt: skip
def test_a_dtd_of_millions_of_declarations_is_refused_in_bounded_memory(kind, entry) -> None:
    """Before, libxml2 built the whole subset: 1.5 million `<!ENTITY>` in a 3.9 MB .docx took 460 MB."""
    doctype = (
        b"<!DOCTYPE r [" + b"".join(b'<!ENTITY e%d "x">' % n for n in range(1_500_000)) + b"]>"
    )
    data = hostile(kind, entry, doctype)
    with peak_memory() as peak:
        try:
            load_file(data, f"x.{kind}", limits())
        except DtdForbidden:
            refused = True
        else:
            refused = False
    assert peak.growth < 200 * MB
    assert refused


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    settings = Settings(backend="pseudo", data_dir=tmp_path, warm_up=False)
    return TestClient(create_app(settings), raise_server_exceptions=False, headers=AUTH)


@pytest.mark.parametrize(
    ("kind", "entry", "attack"),
    [("docx", "word/document.xml", "billion-laughs"), ("epub", "EPUB/k.xhtml", "file-entity")],
)
def test_every_api_refuses_a_dtd_in_its_own_dialect(client, kind, entry, attack, secret) -> None:
    data = hostile(kind, entry, attacks(secret, "http://127.0.0.1:9/x")[attack])
    with client:
        libre = client.post("/translate_file", data={"target": "en"}, files={"file": (f"b.{kind}", data)})  # fmt: skip
        ours = client.post("/v1/documents", data={"target": "en"}, files={"file": (f"b.{kind}", data)})  # fmt: skip
    assert libre.status_code == 400 and "document type" in libre.json()["error"]
    assert ours.status_code == 422, ours.text
    assert ours.json()["error"]["code"] == "dtd_forbidden"
    assert SECRET not in libre.text + ours.text


@pytest.mark.parametrize("fmt", ["xhtml", "html"])
@pytest.mark.parametrize("attack", ["billion-laughs", "file-entity", "passwd-entity"])
def test_inline_markup_with_a_dtd_is_answered_unexpanded(client, fmt, attack, secret) -> None:
    """XHTML fragments and HTML were safe already: the declaration is text or out of place."""
    doctype = attacks(secret, "http://127.0.0.1:9/x")[attack]
    q = (doctype + b"<p>Hallo " + referring(doctype) + b" Welt</p>").decode()
    with client:
        response = client.post("/v1/translate", json={"q": q, "target": "en", "format": fmt})
    assert response.status_code == 200, response.text
    text = response.json()["translations"][0]["text"]
    assert SECRET not in text and "root:" not in text and "hahahaha" not in text


def encrypted(data: bytes, name: str) -> bytes:
    """`data` with entry `name` marked encrypted (bit 0 of its flags, in both of its headers)."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        out[archive.getinfo(name).header_offset + 6] |= 1
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        length = int.from_bytes(data[central + 28 : central + 30], "little")
        if data[central + 46 : central + 46 + length] == name.encode():
            out[central + 8] |= 1
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def damaged(data: bytes, name: str) -> bytes:
    """`data` with the compressed bytes of entry `name` scrambled."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for at in range(start + 5, start + 25):
        out[at] ^= 0x55
    return bytes(out)


@pytest.mark.parametrize(("kind", "entry"), [("docx", "word/document.xml"), ("docx", "docProps/thumbnail.jpeg"), ("epub", "EPUB/k.xhtml"), ("epub", "EPUB/toc.ncx")])  # fmt: skip
@pytest.mark.parametrize("spoil", [encrypted, damaged])
def test_an_entry_that_cannot_be_read_is_an_input_error(kind, entry, spoil) -> None:
    """Reading every entry's prolog must not turn an unreadable one into a 500."""
    base = make_docx([[("Hallo", "")]]) if kind == "docx" else make_epub({"k.xhtml": "<p>Hallo</p>"})  # fmt: skip
    with pytest.raises(InputError, match="not a readable"):
        load_file(spoil(base, entry), f"x.{kind}", limits())
