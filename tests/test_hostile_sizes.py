"""Documents of sizes and shapes no writer makes: 100,000 tiny segments, 100,000 runs under one
parent, a single word of 1 MB, a refrain repeated thousands of times. Each format reads and writes
them back in time and memory that grow with the document, never faster, or refuses them with a
typed input error; a model's streamed answer is checked at a cost that grows with its length."""

from __future__ import annotations

import io
import random
import re
import zipfile
from html import escape, unescape
from pathlib import Path
from typing import Any

import pytest
from bs4 import PageElement, Tag
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dragoman.chains import InputError, load_file, parse_text
from dragoman.chains.errors import Rejected
from dragoman.chains.translate import budget
from dragoman.chains.translate.budget import COPY_HEAD, LOOP_TAIL
from dragoman.chains.translate.job import Job
from dragoman.chains.translate.validate import check_answer, gone_wrong
from dragoman.services.api.app import create_app
from dragoman.services.llm.pseudo import pseudolocalize
from dragoman.services.settings import Settings
from tests.bounds import MB, peak_memory
from tests.conftest import AUTH
from tests.documents import limits, make_docx_body, make_epub, rewrite
from tests.fakes import ScriptedLLM, make_translator
from tests.test_markup_properties import fragments
from tests.test_translate_ladder import COMPLETION, run
from tests.trees import answer_every_segment

N = 100_000
# BeautifulSoup, markdown-it and python-docx build 1 to 3 KiB of tree for each tiny segment:
# memory may grow with the document, never faster.
TREE_BYTES = 4 << 10
FORMATS = ["text", "html", "xhtml", "markdown", "srt", "docx", "epub"]
_XML = {"xhtml", "docx", "epub"}


def cue(n: int, text: str) -> str:
    return f"{n}\n00:00:01,000 --> 00:00:02,000\n{text}\n\n"


def paragraphs(fmt: str, texts: list[str]) -> str:
    """`texts` as the paragraphs (cues, lines) of a document of `fmt`, each its own segment."""
    if fmt == "text":
        return "\n\n".join(texts)
    if fmt == "markdown":
        return "".join(f"{t}\n\n" for t in texts)
    if fmt == "srt":
        return "".join(cue(n, t) for n, t in enumerate(texts, start=1))
    if fmt == "docx":
        return "".join(f"<w:p><w:r><w:t>{t}</w:t></w:r></w:p>" for t in texts)
    return "".join(f"<p>{t}</p>" for t in texts)


def side_by_side(fmt: str, texts: list[str]) -> str:
    """`texts` as runs under one parent, each its own segment where the format can say so."""
    if fmt in ("html", "xhtml", "epub"):
        return "".join(f"{t}<hr/>" for t in texts)
    if fmt == "markdown":  # one table row of as many cells
        return "".join(f"|{t}" for t in texts) + "|\n" + "|-" * len(texts) + "|\n"
    if fmt == "docx":  # one paragraph of runs, every other one bold
        bold = "<w:rPr><w:b/></w:rPr>"
        runs = "".join(f"<w:r>{bold * (n % 2)}<w:t>{t} </w:t></w:r>" for n, t in enumerate(texts))
        return f"<w:p>{runs}</w:p>"
    if fmt == "srt":  # one cue of as many lines
        return cue(1, "\n".join(texts))
    return " ".join(texts)


def load(fmt: str, body: str) -> Any:
    """Parse a document of `fmt` whose content is `body`, through the way files come in."""
    if fmt == "xhtml":
        return parse_text("xhtml", body)
    if fmt == "docx":
        return load_file(make_docx_body(body), "x.docx", limits())
    if fmt == "epub":
        book = make_epub({"k.xhtml": "<p>Kapitel</p>"})
        chapter = f'<html xmlns="http://www.w3.org/1999/xhtml"><body>{body}</body></html>'
        return load_file(rewrite(book, "EPUB/k.xhtml", lambda _: chapter.encode()), "x.epub", limits())  # fmt: skip
    extension = {"text": "txt", "markdown": "md"}.get(fmt, fmt)
    return load_file(body.encode(), f"x.{extension}", limits())


def write_back(document: Any) -> str:
    """Answer every segment (its pseudo-translation; itself, where that is refused), write the
    document, and return the text it was written as (every entry of a zip; character references
    read, as an ASCII page writes what it cannot hold)."""
    for segment in document.segments:
        try:
            nodes = check_answer(segment.nodes, segment.text, pseudolocalize(segment.text))
        except Rejected:
            nodes = segment.nodes
        segment.put(nodes)
    if not hasattr(document, "to_bytes"):
        return unescape(document.render())
    data = document.to_bytes()
    if not data.startswith(b"PK"):
        return unescape(data.decode("utf-8-sig"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def words(count: int) -> list[str]:
    return [f"Wort{n}" for n in range(count)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_hundred_thousand_tiny_segments_are_read_and_written_back(fmt: str) -> None:
    body = paragraphs(fmt, words(N))
    with peak_memory() as peak:
        document = load(fmt, body)
        assert len([s for s in document.segments if s.text.startswith("Wort")]) == N
        written = write_back(document)
    assert written.count("Ŵöŕţ") == N
    assert peak.growth < TREE_BYTES * N


@pytest.mark.parametrize("fmt", ["html", "docx", "markdown", "srt"])  # XHTML: HTML's writer
def test_a_hundred_thousand_runs_under_one_parent_are_written_back_in_linear_time(fmt: str) -> None:
    """Before, each run looked for its place among all its siblings (HTML, XHTML, EPUB) or among
    all the paragraph's runs (docx), and each table cell copied its whole row (Markdown): 20,000
    took 25 s in HTML and 23 s in a .docx, 100,000 ten minutes."""
    with peak_memory() as peak:
        document = load(fmt, side_by_side(fmt, words(N)))
        assert document.segments
        written = write_back(document)
    assert written.count("Ŵöŕţ") == N
    assert peak.growth < TREE_BYTES * N


def one_word(length: int) -> str:
    """A word of `length` letters that repeats nothing (a repeated one is a loop, rightly)."""
    letters = random.Random(24)
    return "".join(letters.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(length))


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_one_megabyte_word_is_one_segment_in_bounded_memory(fmt: str) -> None:
    """Before, looking for e-mail addresses read the rest of the word at each of its letters: a
    word of 100,000 letters took minutes in every format but subtitles, 1 MB would take hours."""
    word = one_word(MB)
    with peak_memory() as peak:
        document = load(fmt, paragraphs(fmt, [word]))
        assert [s.text for s in document.segments if len(s.text) > 100] == [word]
        written = write_back(document)
    assert pseudolocalize(word).strip("[]") in written
    assert peak.growth < 200 * MB


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("text", "<source " * N),
        ("text", "x" * N + "@"),
        ("srt", cue(1, "<i" * N)),
        ("srt", cue(1, "{\\an8" * N)),
        ("html", " " * 40 + "<!x><!DOCTYPE html><p>Hallo Welt</p>"),
        ("html", " " * N + "<!x><!DOCTYPE html><p>Hallo Welt</p>"),
    ],
    ids=["source-tags", "address-start", "srt-tags", "srt-codes", "doctype-40", "doctype-100k"],
)
def test_text_that_opens_what_it_never_closes_is_read_in_linear_time(fmt: str, text: str) -> None:
    """Patterns that read to the end of the text from each opening: quadratic (`<source `, `<i`,
    `{\\an8` a hundred thousand times took minutes), and one exponential in the spaces before a
    doctype (40 of them would have taken a day)."""
    document = parse_text(fmt, text)
    answer_every_segment(document.segments, lambda segment: segment)
    assert document.render().replace("\r\n", "\n")


def test_an_epub_of_nine_thousand_chapters_finds_each_by_a_lookup() -> None:
    """Before, every entry was compared with every chapter's name: 10,000 of both took 6 s."""
    book = with_chapters(make_epub({"k.xhtml": "<p>Kapitel</p>"}), 9_000)
    document = load_file(book, "x.epub", limits())
    assert sum(s.text.startswith("Wort") for s in document.segments) == 9_000


def with_chapters(book: bytes, count: int) -> bytes:
    """`book` with `count` more chapters, in its manifest and its spine."""
    items = "".join(
        f'<item id="c{n}" href="c{n}.xhtml" media-type="application/xhtml+xml"/>'
        for n in range(count)
    )
    spine = "".join(f'<itemref idref="c{n}"/>' for n in range(count))

    def package(opf: bytes) -> bytes:
        text = opf.decode().replace("</manifest>", items + "</manifest>")
        return text.replace("</spine>", spine + "</spine>").encode()

    out = io.BytesIO(rewrite(book, "EPUB/content.opf", package))
    with zipfile.ZipFile(out, "a") as archive:
        for n in range(count):
            body = f"<p>Wort{n}</p>"
            archive.writestr(f"EPUB/c{n}.xhtml", f'<html xmlns="http://www.w3.org/1999/xhtml"><body>{body}</body></html>')  # fmt: skip
    return out.getvalue()


def test_an_epub_chapter_that_is_not_utf8_is_an_input_error() -> None:
    """Before, a UnicodeDecodeError: a 500."""
    book = rewrite(make_epub({"k.xhtml": "<p>Hallo</p>"}), "EPUB/k.xhtml", lambda xml: xml.replace(b"Hallo", b"Hall\xf6"))  # fmt: skip
    with pytest.raises(InputError, match="not UTF-8"):
        load_file(book, "x.epub", limits())


# --- the answer-loop detector -------------------------------------------------------------------
REFRAIN = "Ja, ja, ja, ja, ja, ja, ja!"


def test_a_refrain_is_translated_as_a_refrain() -> None:
    """Before, any answer repeating a piece five times was a loop unless the source held that
    very piece: a translated refrain never was, so it failed after two calls."""
    model = ScriptedLLM(reply=lambda prompt: " Yes, yes, yes, yes, yes, yes, yes!")
    translator = make_translator(model, COMPLETION)
    result = run(translator, REFRAIN)
    assert (result.status, result.text, len(model.prompts)) == ("ok", "Yes, yes, yes, yes, yes, yes, yes!", 1)  # fmt: skip


def test_a_long_repetitive_source_is_translated_and_a_loop_past_its_refrain_is_not() -> None:
    source = ("Hallo Welt. " * 20_000).strip()
    model = ScriptedLLM(reply=lambda prompt: " " + ("Hello world. " * 20_000).strip())
    result = run(make_translator(model, COMPLETION), source)
    assert (result.status, len(model.prompts)) == ("ok", 1)
    refrain = parse_text("text", REFRAIN).segments[0]
    with pytest.raises(Rejected, match="in a loop"):
        check_answer(refrain.nodes, refrain.text, "Yes, " + "yes, " * 300 + "yes!")


class CountingPattern:
    """A compiled pattern that counts the characters it is asked to search."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.read = 0

    def search(self, text: str, *args: Any) -> Any:
        self.read += len(text)
        return self.pattern.search(text, *args)

    def finditer(self, text: str, *args: Any) -> Any:
        self.read += len(text)
        return self.pattern.finditer(text, *args)


def test_a_streamed_answer_is_checked_in_time_linear_in_its_length(monkeypatch) -> None:
    """The check after every chunk reads a bounded stretch of the answer so far. Before, it read
    all of it, twice: 4 characters a chunk, a 9,000-character copy of an English source made the
    language detector read 10 million characters and the loop detector as many (12 s of CPU, on
    the event loop)."""
    loop = CountingPattern(budget._LOOP)
    monkeypatch.setattr(budget, "_LOOP", loop)
    budget._most_turns.cache_clear()
    detected: list[int] = []
    job = Job("de", "en", is_foreign=lambda text: bool(detected.append(len(text))))
    letters = random.Random(7)
    source = " ".join(one_word(letters.randint(2, 9)) for _ in range(1_500))[:9_000]
    checks = 0
    for end in range(4, len(source), 4):  # the model copies its source, 4 characters a chunk
        assert not gone_wrong(source[:end], source, job)
        checks += 1
    assert detected  # a copy is judged from its 40th character on
    assert sum(detected) <= checks * COPY_HEAD
    assert loop.read <= checks * LOOP_TAIL + len(source)


def test_an_answer_repeating_one_phrase_a_hundred_thousand_times_is_cut_off() -> None:
    """The model loops for its whole budget; the stream is closed after a few chunks of it."""
    chunks = {"sent": 0}

    class Looping(ScriptedLLM):
        def _stream(self, prompt: str, stop=None, run_manager=None, **kwargs: Any):  # type: ignore[override]
            from langchain_core.outputs import GenerationChunk

            for _ in range(N):
                chunks["sent"] += 1
                yield GenerationChunk(text="Hello world. ")

    translator = make_translator(Looping(reply=lambda prompt: ""), COMPLETION)
    result = run(translator, "Mein Rechner verliert ständig die Verbindung zum WLAN.")
    assert result.status == "failed"
    assert chunks["sent"] <= 2 * 10  # each of the two calls stopped after a few repeats


# --- shapes no one thinks of ---------------------------------------------------------------------
# Pieces of text that mean something to one format or another, repeated into one long shape.
_MEANINGFUL = list("aZ7 .,@/:<>&#*_`|-[](){}\\!\"'\n\t\u00a0é😀")
_OPENINGS = ["www.", "http://", "<source", "<i", "{\\an", "-->", "<!--", "<!x>", "@a"]
PIECES = st.lists(
    st.one_of(st.sampled_from(_MEANINGFUL), st.sampled_from(_OPENINGS)), min_size=1, max_size=4
).map("".join)


def shaped(fmt: str, shape: str, piece: str, count: int) -> str:
    text = escape(piece, quote=False) if fmt in _XML else piece
    if shape == "word":
        return paragraphs(fmt, ["Hallo " + text * count])
    units = [f"{text}{n}" for n in range(count)]
    return paragraphs(fmt, units) if shape == "segments" else side_by_side(fmt, units)


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shape=st.sampled_from(["segments", "siblings", "word"]),
    piece=PIECES,
    count=st.integers(min_value=0, max_value=4_000),
)
def test_any_repeated_shape_is_read_and_written_back_or_refused(fmt, shape, piece, count) -> None:
    """Parsing and writing back succeed or raise a typed input error: never a RecursionError, a
    MemoryError or any other exception."""
    try:
        document = load(fmt, shaped(fmt, shape, piece, count))
    except InputError:
        return
    write_back(document)


def linked(soup: Tag) -> None:
    """Assert that every node is linked as BeautifulSoup links it: to its parent and siblings as
    in its parent's contents, to its neighbours in document order (the root outside that chain)."""
    order: list[PageElement] = []
    stack: list[PageElement] = list(reversed(soup.contents))
    while stack:
        node = stack.pop()
        order.append(node)
        if isinstance(node, Tag):
            for i, child in enumerate(node.contents):
                assert child.parent is node
                assert child.previous_sibling is (node.contents[i - 1] if i else None)
                assert child.next_sibling is (node.contents[i + 1] if i + 1 < len(node.contents) else None)  # fmt: skip
            stack.extend(reversed(node.contents))
    for before, after in zip([None, *order], [*order, None], strict=True):
        assert before is None or before.next_element is after
        assert after is None or after.previous_element is before


@settings(max_examples=150, deadline=None)
@given(fragment=fragments, kind=st.sampled_from(["fragment", "document", "xhtml"]))
def test_written_runs_leave_the_tree_linked_as_beautifulsoup_links_it(fragment, kind) -> None:
    """A translation replaces its run in one step, linked by hand: later runs, and the XML
    serialiser, which walks the document-order links, find every node where it should be."""
    html = f"<!DOCTYPE html><body>{fragment}<hr>Ende</body>" if kind == "document" else fragment
    document = parse_text("xhtml" if kind == "xhtml" else "html", html)
    for segment in document.segments:
        try:
            segment.put(check_answer(segment.nodes, segment.text, pseudolocalize(segment.text)))
        except Rejected:
            continue
        linked(document.soup)


# --- through the API ----------------------------------------------------------------------------
@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    settings = Settings(backend="pseudo", data_dir=tmp_path, warm_up=False)
    return TestClient(create_app(settings), raise_server_exceptions=False, headers=AUTH)


def test_the_api_translates_a_word_under_the_text_limit_and_refuses_one_over_it(client) -> None:
    limit = Settings().max_chars
    with client:
        under = client.post("/v1/translate", json={"q": one_word(limit), "target": "en", "source": "de"})  # fmt: skip
        over = client.post("/translate", json={"q": one_word(limit + 1), "target": "en", "source": "de"})  # fmt: skip
    assert under.status_code == 200, under.text[:200]
    assert under.json()["translations"][0]["text"] == pseudolocalize(one_word(limit))
    assert over.status_code == 413 and "characters" in over.json()["error"]


def test_a_file_of_a_hundred_thousand_lines_is_translated_in_bounded_memory(client) -> None:
    """The same line a hundred thousand times: one model call, every line written back."""
    with client, peak_memory() as peak:
        answer = client.post("/translate_file", data={"target": "en", "source": "de"}, files={"file": ("x.txt", b"Hallo Welt\n" * N)})  # fmt: skip
        assert answer.status_code == 200, answer.text
        url = answer.json()["translatedFileUrl"]
        written = client.get(url.removeprefix("http://testserver")).content
    assert written.decode().count(pseudolocalize("Hallo Welt")) == N
    assert peak.growth < 200 * MB
