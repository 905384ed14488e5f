"""Markup no real page has: nested thousands deep, or deep in inline tags. Each format answers in
bounded time, with the page as it was or a clear 4xx, never a crash in a tree walk."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from dragoman.chains import NestedTooDeeply
from dragoman.chains.formats import parse_text
from dragoman.chains.markup.html5 import MAX_DEPTH
from dragoman.services.api.app import create_app
from dragoman.services.llm.pseudo import pseudolocalize
from dragoman.services.settings import Settings
from tests.conftest import AUTH
from tests.trees import answer_every_segment, browser_tree, xml_tree

TAGS = ["div", "blockquote", "b", "i", "span", "ul", "em", "a", "p", "li", "table", "td"]


def nested(tags: list[str], text: str = "Hallo Welt") -> str:
    return "".join(f"<{t}>" for t in tags) + text + "".join(f"</{t}>" for t in reversed(tags))


@pytest.mark.parametrize("tag", ["div", "b", "span", "blockquote", "i"])
def test_html_at_the_depth_limit_round_trips_as_browsers_read_it(tag: str) -> None:
    html = nested([tag] * MAX_DEPTH)
    document = parse_text("html", html)
    answer_every_segment(document.segments, lambda text: text)
    assert browser_tree(document.render()) == browser_tree(html)


@pytest.mark.parametrize("tag", ["div", "b", "span", "blockquote"])
def test_xhtml_at_the_depth_limit_round_trips(tag: str) -> None:
    xhtml = nested([tag] * MAX_DEPTH)
    document = parse_text("xhtml", xhtml)
    answer_every_segment(document.segments, lambda text: text)
    assert xml_tree(document.render()) == xml_tree(xhtml)


@pytest.mark.parametrize("fmt", ["html", "xhtml"])
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 2_000, 100_000])
def test_deeper_markup_is_refused_as_nested_too_deeply(fmt: str, depth: int) -> None:
    with pytest.raises(NestedTooDeeply, match="nested too deeply"):
        parse_text(fmt, nested(["div"] * depth))


@pytest.mark.parametrize("depth", [50, 2_000])
def test_markdown_quotes_and_lists_nested_deep_keep_their_text(depth: int) -> None:
    for markdown in (">" * depth + " Hallo Welt\n", "".join("  " * n + "- Punkt\n" for n in range(depth))):  # fmt: skip
        document = parse_text("markdown", markdown)
        answer_every_segment(document.segments, lambda text: text)
        assert document.render() == markdown


@settings(max_examples=60, deadline=5_000)
@given(st.lists(st.sampled_from(TAGS), min_size=1, max_size=MAX_DEPTH + 40))
def test_any_nesting_is_answered_in_bounded_time(tags: list[str]) -> None:
    """Before, each inline level built its subtree twice: 30 nested <b> took 2**30 steps."""
    for fmt in ("html", "xhtml"):
        try:
            document = parse_text(fmt, nested(tags))
        except NestedTooDeeply:
            assert len(tags) > MAX_DEPTH
            continue
        untouched = parse_text(fmt, nested(tags)).render()
        answer_every_segment(document.segments, pseudolocalize)
        if fmt == "html":  # translated, the page keeps the tree it has when written untouched
            rendered = document.render()
            assert browser_tree(rendered, text=False) == browser_tree(untouched, text=False)


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/v1/translate", {"q": nested(["div"] * 2_000), "target": "en", "format": "html"}, 422),
        ("/v1/translate", {"q": nested(["b"] * 2_000), "target": "en", "format": "xhtml"}, 422),
        ("/translate", {"q": nested(["div"] * 2_000), "target": "en", "format": "html"}, 400),
    ],
)
def test_the_api_answers_nested_too_deeply_in_its_dialect(tmp_path, path, body, status) -> None:
    settings = Settings(backend="pseudo", data_dir=tmp_path, warm_up=False)
    client = TestClient(create_app(settings), raise_server_exceptions=False, headers=AUTH)
    response = client.post(path, json=body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    message = error if isinstance(error, str) else error["message"]
    assert "nested too deeply" in message


@pytest.mark.parametrize(
    "html",
    [
        "<div/>" * 60_000,  # HTML5 opens a div for each: skipped as self-closing before #34
        "<div></b>" * 60_000,  # stray end tags lowered the depth before #34
        "<div></span></i>" * 40_000,
    ],
    ids=["self-closed divs", "stray end tags", "two stray end tags each"],
)
def test_tricks_that_hid_the_depth_are_refused_before_parsing(html: str) -> None:
    from dragoman.chains.markup.html5 import check_nesting

    with pytest.raises(NestedTooDeeply):
        check_nesting(html)


def test_svg_closes_its_own_elements_and_misnested_pages_pass() -> None:
    from dragoman.chains.markup.html5 import check_nesting

    check_nesting("<svg>" + "<path d='M0 0'/>" * 5_000 + "</svg>")  # a sprite of icons
    check_nesting("<div><span>x</div>" * 5_000)  # each </div> closes its <span> too
