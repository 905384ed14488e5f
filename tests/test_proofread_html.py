"""Proofreading reads HTML as translation and browsers do (the HTML5 parser), and every character
it checks maps back to the very character of the input, or to nothing."""

from __future__ import annotations

import pytest

from dragoman.chains.proofread.regions import SYNTHETIC, prose_regions

CASES = {
    # RCDATA and raw text: never prose, whatever they look like.
    "textarea": ("<textarea>I has a error</textarea><p>This are wrong.</p>", ["This are wrong."]),
    "title": ("<html><head><title>Teh title</title></head><body><p>Body.</p>", ["Body."]),
    "script with tags": (
        '<script>var s = "<p>I has</p>"; if (a < b) {}</script><p>He go home.</p>',
        ["He go home."],
    ),
    "plaintext swallows the rest": ("<p>Before.</p><plaintext><p>not a tag", ["Before."]),
    "comment with tags": ("<!-- <p>I has</p> --><p>Real text.</p>", ["Real text."]),
    # Tags the way browsers close and move them.
    "unclosed paragraphs": ("<p>One thing<p>Another thing", ["One thing", "Another thing"]),
    "foster-parented text": (
        "<table>stray words<tr><td>a cell</td></tr></table><p>After.</p>",
        ["stray words", "a cell", "After."],
    ),
    "misnested inline": ("<p><b>bold <i>both</b> italic</i> plain</p>", ["bold both italic plain"]),
    "attribute holding >": (
        '<p><a title="x > y" href="/">link text</a> here</p>',
        ["link text here"],
    ),
    "uppercase tags": ("<P>Upper <B>case</B></P>", ["Upper case"]),
    "byte order mark": ("\ufeff<p>After a BOM.</p>", ["After a BOM."]),
    "crlf": ("<p>line one\r\nline two</p>", ["line one\nline two"]),
    "legacy reference": ("<p>I &notit; and &amp so on &#x41;.</p>", ["I ¬it; and & so on A."]),
    "bare ampersand": ("<p>Salt & pepper.</p>", ["Salt & pepper."]),
    "end tag with space": ("<p>One</p ><p>Two</p>", ["One", "Two"]),
    "content after body": ("<html><body><p>In.</p></body></html><p>Out.</p>", ["In.", "Out."]),
}


@pytest.mark.parametrize("html, expected", CASES.values(), ids=CASES.keys())
def test_html_prose_is_what_a_browser_shows(html: str, expected: list[str]) -> None:
    regions = prose_regions(html, "html")
    assert [r.text.strip() for r in regions] == expected
    for region in regions:
        for char, origin in zip(region.text, region.origins, strict=True):
            assert origin == SYNTHETIC or html[origin] == char


def test_offsets_survive_references_and_line_breaks() -> None:
    html = "<div>caf&eacute; is\r\nclosed</div>\r\n<p>We was there.</p>"
    first, second = prose_regions(html, "html")
    start = second.text.index("was")
    assert html[slice(*second.to_input(start, start + 3))] == "was"
    closed = first.text.index("closed")
    assert html[slice(*first.to_input(closed, closed + 6))] == "closed"
    assert first.to_input(0, 4) is None  # "café": its é is written as a reference


def test_a_span_across_a_moved_node_is_never_placed() -> None:
    """Text the parser moved (foster parenting after other text) maps to nothing or to itself."""
    html = "<table><tr><td>cell</td></tr>moved here<tr><td>next</td></tr></table>"
    for region in prose_regions(html, "html"):
        for start in range(len(region.text)):
            span = region.to_input(start, len(region.text))
            if span is not None:
                assert html[slice(*span)] == region.text[start:]
