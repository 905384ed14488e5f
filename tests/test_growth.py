"""Growth, not just cases: every public input path is fed each family of hostile text at 1×, 4×
and 16× a base size, and fails when its CPU time or peak memory grows faster than the input
(beyond TOLERANCE). A list of cases finds yesterday's bug; this finds the next quadratic one.
The sizes stay small for `make test`; docs/benchmarks.md has the large ones."""

from __future__ import annotations

import contextlib
import io
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dragoman.chains import InputError, load_file
from dragoman.services.api.app import create_app
from dragoman.services.settings import Settings
from tests.bounds import MB, peak_memory
from tests.conftest import AUTH
from tests.documents import limits
from tests.hostile import FAMILIES, FINE, PATHS, docx

BASE = 1_000  # characters at 1×
SIZES = (1, 4, 16)
# Linear work takes 16× as long at 16× the input; quadratic, 256×; this allows 64×. Below 20 ms of CPU and 8 MB
# of memory a request's fixed costs and the allocator's grain dominate (Python 3.12's allocator
# peaks higher than 3.11's on the same request): the floors a ratio is taken from.
TOLERANCE = 4.0
FLOOR = 0.02
MEMORY_FLOOR = 8 * MB


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
        data = docx(text) if fmt.endswith(".docx") else _framed(fmt, text).encode("utf-8")
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
