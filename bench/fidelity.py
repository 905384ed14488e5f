"""1. Markup fidelity over the corpus as a browser sees it (html5lib trees of input and output):
echo and pseudo on every page, the embedded model on a few; and parse + rebuild time per page."""

from __future__ import annotations

import asyncio
import statistics
import warnings
from collections import Counter
from typing import Any

from bs4 import BeautifulSoup, Doctype

from dragoman.chains import ModelProfile
from dragoman.chains.markup import HtmlDocument, parse_html5, serialize
from dragoman.chains.translate import TranslateRequest, check_answer, translate_document
from dragoman.services.llm.pseudo import PseudoLocalizer
from tests.corpus import pages
from tests.fakes import make_translator
from tests.trees import browser_tree

from .common import forum_pages, timer


def echo_preserved(text: str) -> bool:
    doc = HtmlDocument(text)
    for segment in doc.segments:
        segment.put(check_answer(segment.nodes, segment.text, segment.text))
    return browser_tree(doc.render(), like=text) == browser_tree(text)


def pseudo_preserved(text: str) -> bool:
    translator = make_translator(PseudoLocalizer(), ModelProfile(style="raw", check_language=False))
    result = asyncio.run(
        translate_document(translator, TranslateRequest(text, "eo", format="html"))
    )
    return browser_tree(result.text, like=text, text=False) == browser_tree(text, text=False)


def _old_rebuild(text: str) -> str:
    """What Dragoman did before HTML5 parsing: html.parser, and BeautifulSoup's own writer."""
    soup = BeautifulSoup(text, "html.parser")
    return "".join(f"<!DOCTYPE {n}>" if isinstance(n, Doctype) else str(n) for n in soup.contents)


def parse_times(texts: list[str], rounds: int = 3) -> dict[str, float]:
    """Median milliseconds per page to parse and write back, by parser."""
    ways = {
        "html.parser (before)": _old_rebuild,
        "lexbor (now)": lambda t: serialize(parse_html5(t).contents),
        "html5lib": lambda t: serialize(BeautifulSoup(t, "html5lib").contents),
        "lexbor + segmentation (HtmlDocument)": lambda t: HtmlDocument(t).render(),
    }
    out = {}
    for name, way in ways.items():
        runs = []
        for _ in range(rounds):
            with timer() as took:
                for text in texts:
                    way(text)
            runs.append(took[0])
        out[name] = round(1000 * statistics.median(runs) / len(texts), 2)
    return out


def run(runtime: Any, sample: int = 3) -> dict[str, Any]:
    """Tree preservation per page, and status shares with the embedded model on forum pages."""
    rows = []
    texts = [page.text() for page in pages()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # html5lib and html.parser warn about XHTML pages
        times = parse_times(texts)
    for page in pages():
        text = page.text()
        rows.append({"file": page.file, "kind": page.kind, "segments": len(HtmlDocument(text).segments),
                     "echo": echo_preserved(text), "pseudo": pseudo_preserved(text)})  # fmt: skip
    statuses: Counter[str] = Counter()
    seconds = 0.0
    sampled = []
    for page in forum_pages("de"):
        from bs4 import BeautifulSoup

        if len(sampled) == sample:
            break
        # Posts are what a reader translates: the page's main post containers.
        soup = BeautifulSoup(page.text(), "html.parser")
        posts = soup.select(
            ".postbody .content, .message-body .bbWrapper, blockquote.messageText, div.text"
        )
        if len(posts) < 2:
            continue
        html = "".join(str(p) for p in posts[:4])
        translator = runtime.translator()
        with timer() as took:
            result = asyncio.run(
                translate_document(translator, TranslateRequest(html, "en", "de", "html"))
            )
        seconds += took[0]
        statuses.update(result.counts)
        sampled.append(page.file)
    return {
        "pages": rows,
        "parse_ms": times,
        "embedded": {"pages": sampled, "statuses": dict(statuses), "seconds": round(seconds, 1)},
    }
