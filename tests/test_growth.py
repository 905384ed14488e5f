"""Growth, not just cases: every public input path is fed each family of hostile text at 1×, 4×
and 16× a base size, and fails when its CPU time or peak memory grows faster than the input
(beyond TOLERANCE). A list of cases finds yesterday's bug; this finds the next quadratic one.
The sizes stay small for `make test`; docs/benchmarks.md has the large ones."""

from __future__ import annotations

import contextlib
import io
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from dragoman.chains import InputError, load_file
from dragoman.services.api.app import create_app
from dragoman.services.settings import Settings
from tests.bounds import MB, peak_memory
from tests.conftest import AUTH
from tests.documents import limits

BASE = 1_000  # characters at 1×
SIZES = (1, 4, 16)
# Linear work takes 16× as long at 16× the input; quadratic, 256×; this allows 64×. Below 20 ms of CPU and 8 MB
# of memory a request's fixed costs and the allocator's grain dominate (Python 3.12's allocator
# peaks higher than 3.11's on the same request): the floors a ratio is taken from.
TOLERANCE = 4.0
FLOOR = 0.02
MEMORY_FLOOR = 8 * MB


def _repeat(unit: str) -> Callable[[int], str]:
    return lambda n: (unit * (n // len(unit) + 1))[:n]


FAMILIES: dict[str, Callable[[int], str]] = {
    "one long token": _repeat("a"),
    "many short tokens": _repeat("a "),
    "one long line": _repeat("Das Haus ist klein und der Baum ist hoch, "),
    "many paragraphs": _repeat("Ein kurzer Absatz.\n\n"),
    "punctuation": _repeat("!?.,;:-"),
    "quotes": _repeat('„«"‚'),
    "unclosed tags": _repeat("<b>x "),
    "combining marks": _repeat("अच्छी क्षमा "),
    "decomposed": _repeat(unicodedata.normalize("NFD", "déjà vu été ")),
    "astral": _repeat("😀𠀀 "),
    "bidi controls": _repeat("\u202eabc\u202c \u2067x\u2069 "),
    "paths and addresses": _repeat("a/b x@y.de www.z.org "),
}


def _json(client: TestClient, path: str, body: dict) -> httpx.Response:
    return client.post(path, json=body)


def _file(name: str, text: str) -> dict:
    return {"file": (name, text.encode("utf-8"), "application/octet-stream")}


def _docx(text: str) -> bytes:
    from tests.documents import make_docx_body

    return make_docx_body(f'<w:p><w:r><w:t xml:space="preserve">{_xml(text)}</w:t></w:r></w:p>')


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Each public path, as a client reaches it: a request of the text, the statuses it may answer.
PATHS: dict[str, Callable[[TestClient, str], httpx.Response]] = {
    "/v1/translate text": lambda c, t: _json(c, "/v1/translate", {"q": t, "target": "en"}),
    "/v1/translate html": lambda c, t: _json(
        c, "/v1/translate", {"q": f"<p>{t}</p>", "target": "en", "format": "html"}
    ),
    "/v1/translate markdown": lambda c, t: _json(
        c, "/v1/translate", {"q": t, "target": "en", "format": "markdown"}
    ),
    "/v1/translate/stream": lambda c, t: _json(c, "/v1/translate/stream", {"q": t, "target": "en"}),
    "/v1/documents": lambda c, t: c.post(
        "/v1/documents", files=_file("post.txt", t), data={"target": "en"}
    ),
    "/v1/proofread": lambda c, t: _json(c, "/v1/proofread", {"text": t}),
    "/v1/proofread/stream": lambda c, t: _json(c, "/v1/proofread/stream", {"text": t}),
    "/v2/check auto": lambda c, t: c.post("/v2/check", data={"text": t, "language": "auto"}),
    "/v2/check de-DE": lambda c, t: c.post("/v2/check", data={"text": t, "language": "de-DE"}),
    "/translate": lambda c, t: _json(c, "/translate", {"q": t, "source": "de", "target": "en"}),
    "/translate_file": lambda c, t: c.post(
        "/translate_file", files=_file("post.txt", t), data={"source": "de", "target": "en"}
    ),
    "/v2/words/add": lambda c, t: c.post("/v2/words/add", data={"word": t, "language": "de"}),
}
# Answers that are fine: done, accepted, or refused as bad input (never a 500).
FINE = {200, 202, 400, 413, 422}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(backend="pseudo", data_dir=tmp_path, warm_up=False)
    with TestClient(create_app(settings), headers=AUTH) as client:
        yield client


def _cost(send: Callable[[], object]) -> tuple[float, int]:
    """CPU seconds and peak resident growth of one call (the app runs in this process)."""
    with peak_memory() as peak:
        start = time.process_time()
        send()
        seconds = time.process_time() - start
    return seconds, peak.growth


def _grows_linearly(make: Callable[[int], object]) -> None:
    """Send the input at each size; fail on work or memory growing faster than linearly."""
    make(BASE)  # warm caches, dictionaries and models: the first call pays for loading them
    costs = {size: _cost(lambda size=size: make(size * BASE)) for size in SIZES}
    (small, small_memory), (large, large_memory) = costs[SIZES[0]], costs[SIZES[-1]]
    ratio = SIZES[-1] / SIZES[0]
    assert large <= ratio * TOLERANCE * max(small, FLOOR), costs
    assert large_memory <= ratio * TOLERANCE * max(small_memory, MEMORY_FLOOR), costs


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("path", PATHS)
def test_every_path_grows_linearly_with_every_family(client, path: str, family: str) -> None:
    send, make = PATHS[path], FAMILIES[family]

    def request(n: int) -> None:
        answer = send(client, make(n))
        assert answer.status_code in FINE, (answer.status_code, answer.text[:300])

    _grows_linearly(request)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("fmt", ["post.txt", "page.html", "notes.md", "film.srt", "letter.docx"])
def test_the_cli_readers_grow_linearly(fmt: str, family: str, tmp_path: Path) -> None:
    make = FAMILIES[family]

    def read(n: int) -> None:
        text = make(n)
        data = _docx(text) if fmt.endswith(".docx") else _framed(fmt, text).encode("utf-8")
        with contextlib.suppress(InputError):  # refused as bad input: fine
            load_file(data, fmt, limits())

    _grows_linearly(read)


def _framed(name: str, text: str) -> str:
    if name.endswith(".srt"):
        return f"1\n00:00:01,000 --> 00:00:02,000\n{text}\n"
    return text


def test_invalid_encodings_are_read_or_refused_in_linear_time() -> None:
    def read(n: int) -> None:
        data = (b"Gr\xfc\xdfe \xff\xfe\x80 " * (n // 10 + 1))[:n]
        with contextlib.suppress(InputError):
            load_file(data, "post.txt", limits())

    _grows_linearly(read)


def test_a_zip_of_growing_text_stays_linear() -> None:
    def read(n: int) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("word/document.xml", "x" * n)
        with contextlib.suppress(InputError):
            load_file(buffer.getvalue(), "letter.docx", limits())

    _grows_linearly(read)
