"""Hostile input for every public path: families of text that made parsers, patterns and checkers
grow faster than their input, and each path as a client reaches it. The growth tests send them
at small sizes; `make bench` (docs/benchmarks.md §13) at large ones."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import httpx
from fastapi.testclient import TestClient


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


def docx(text: str) -> bytes:
    """A Word file whose one paragraph is `text`."""
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
