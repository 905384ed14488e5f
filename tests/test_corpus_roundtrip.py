"""Over every page of the shared corpus: an echo rebuilds the same tree, pseudo changes only text."""

from __future__ import annotations

import asyncio
import re

import pytest

from dragoman.chains import ModelProfile
from dragoman.chains.markup.html import HtmlDocument
from dragoman.chains.translate import TranslateRequest, translate_document
from dragoman.services.llm.pseudo import KEPT, PseudoLocalizer
from tests.corpus import page_files, pages
from tests.fakes import make_translator
from tests.trees import echo_round_trip, parse_html, skeleton, tree

_ASCII_LETTER = re.compile(r"[A-Za-z]")


def page(file: str):
    return next(p for p in pages() if p.file == file)


@pytest.mark.parametrize("file", page_files())
def test_echo_rebuilds_the_same_tree(file: str) -> None:
    source = page(file).text()
    doc, untouched = echo_round_trip(source)
    assert tree(doc.soup) == tree(parse_html(source))
    assert doc.render() == untouched


@pytest.mark.parametrize("file", page_files())
def test_pseudo_backend_changes_every_translatable_text_and_nothing_else(file: str) -> None:
    source = page(file).text()
    before = HtmlDocument(source)
    translator = make_translator(PseudoLocalizer(), ModelProfile(style="raw", check_language=False))
    # Esperanto: no page is written in it, so no segment is skipped as already translated.
    result = asyncio.run(
        translate_document(translator, TranslateRequest(source, "eo", format="html"))
    )
    after = HtmlDocument(result.text)
    assert result.status == "ok", result.reasons
    assert skeleton(after.soup) == skeleton(before.soup)
    assert len(after.segments) == len(before.segments)
    for old, new in zip(before.segments, after.segments, strict=True):
        assert new.text != old.text
        # Placeholders stay as they are: the markup's, and printf/ICU-like ones ({x} in LaTeX too).
        assert not _ASCII_LETTER.search(KEPT.sub("", new.text)), new.text
