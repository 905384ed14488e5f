"""Over every page of the shared corpus, as Chromium itself reads it: the tree its HTML parser
builds from Dragoman's output is the one it builds from the input, under an echo (text too) and
under pseudo (all but the translated text). Input and output go in as bytes; Chromium decodes each
in the encoding a browser picks: the input in its charset as a server would send it, the output
in the one it declares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dragoman.chains import load_file
from dragoman.services.llm.pseudo import pseudolocalize
from tests.browser.dom import as_read, first_difference
from tests.corpus import page_files
from tests.documents import limits
from tests.test_corpus_roundtrip import browser_label, checked, page
from tests.trees import answer_every_segment


def read_in_chromium(tab: Any, file: str, answer: Callable[[str], str], text: bool) -> Any:
    """Where Chromium's trees of a corpus page and of Dragoman's answered page first differ."""
    data = page(file).path.read_bytes()
    doc = load_file(data, file, limits())
    answer_every_segment(doc.segments, answer)
    source = as_read(data, transport=browser_label(page(file).charset))
    return first_difference(tab, source, as_read(doc.to_bytes()), text)


@pytest.mark.parametrize("file", checked(page_files()))
def test_echo_keeps_chromiums_tree_and_text(tab: Any, file: str) -> None:
    assert read_in_chromium(tab, file, lambda text: text, text=True) is None


@pytest.mark.parametrize("file", checked(page_files()))
def test_pseudo_keeps_chromiums_tree(tab: Any, file: str) -> None:
    assert read_in_chromium(tab, file, pseudolocalize, text=False) is None
