"""1. Markup fidelity over the corpus: echo and pseudo on every page, the embedded model on a few."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from dragoman.chains import ModelProfile
from dragoman.chains.markup import HtmlDocument
from dragoman.chains.translate import TranslateRequest, check_answer, translate_document
from dragoman.services.llm.pseudo import PseudoLocalizer
from tests.corpus import pages
from tests.fakes import make_translator
from tests.trees import parse_html, skeleton, tree

from .common import forum_pages, timer


def echo_preserved(text: str) -> bool:
    doc = HtmlDocument(text)
    for segment in doc.segments:
        segment.apply(check_answer(segment.nodes, segment.text, segment.text))
    return tree(doc.soup) == tree(parse_html(text))


def pseudo_preserved(text: str) -> bool:
    translator = make_translator(PseudoLocalizer(), ModelProfile(style="raw", check_language=False))
    result = asyncio.run(
        translate_document(translator, TranslateRequest(text, "eo", format="html"))
    )
    return skeleton(parse_html(result.text)) == skeleton(parse_html(text))


def run(runtime: Any, sample: int = 3) -> dict[str, Any]:
    """Tree preservation per page, and status shares with the embedded model on forum pages."""
    rows = []
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
        "embedded": {"pages": sampled, "statuses": dict(statuses), "seconds": round(seconds, 1)},
    }
