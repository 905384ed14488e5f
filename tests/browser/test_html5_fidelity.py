"""Chromium's own HTML parser (DOMParser: no scripts run) builds the same tree from Dragoman's
output as from its input, on malformed posts; and the tree the fidelity tests take for a browser's
(tests/trees.py) is Chromium's where html5lib needed bringing up to date."""

from __future__ import annotations

from typing import Any

import pytest

from dragoman.chains.markup.html import HtmlDocument
from dragoman.services.llm.pseudo import pseudolocalize
from tests.browser.dom import DOM_TREE
from tests.test_markup_html import MALFORMED_POST, MISNESTED_POST, RECONSTRUCTED, WRITTEN_NOAHS_ARK
from tests.trees import answer_every_segment, browser_tree


def pseudo(source: str, answer: Any = pseudolocalize) -> str:
    # Straight through the segments: Playwright's event loop holds this thread.
    doc = HtmlDocument(source)
    answer_every_segment(doc.segments, answer)
    return doc.render()


@pytest.mark.parametrize("post", [MALFORMED_POST, MISNESTED_POST, *RECONSTRUCTED])
def test_malformed_post_keeps_chromiums_tree(tab: Any, post: str) -> None:
    echo = pseudo(post, lambda text: text)
    assert tab.evaluate(DOM_TREE, [echo, True]) == tab.evaluate(DOM_TREE, [post, True])
    out = pseudo(post)
    assert tab.evaluate(DOM_TREE, [out, False]) == tab.evaluate(DOM_TREE, [post, False])


def as_dom_tree(tokens: list[Any]) -> list[Any]:
    """browser_tree's tokens (a page without comments or doctype) in DOM_TREE's shape."""
    out: list[Any] = []
    for token in tokens:
        if token[0] == "StartTag":
            out.append(["<", token[1], token[2], [list(a) for a in token[3].items()]])
        elif token[0] == "EndTag":
            out.append([">"])
        else:
            out.append(["t", token[1]])
    return out


@pytest.mark.parametrize("fragment", [*RECONSTRUCTED, WRITTEN_NOAHS_ARK])
def test_the_fidelity_tests_browser_tree_is_chromiums(tab: Any, fragment: str) -> None:
    page = f"<html><body>{fragment}"
    assert as_dom_tree(browser_tree(page)) == tab.evaluate(DOM_TREE, [page, True])
