"""Property tests of the markup pipeline: arbitrary nested markup survives an echo exactly, and
no model answer can put markup of its own into a page."""

from __future__ import annotations

import re
from html import escape

from hypothesis import given, settings
from hypothesis import strategies as st

from dragoman.chains import MarkupMismatch
from dragoman.chains.markup.html import HtmlDocument
from dragoman.chains.markup.inline import parse
from tests.trees import browser_tree, echo_round_trip

words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
INLINE = ["b", "i", "em", "strong", "span", "a", "code", "small", "q"]
BLOCK = ["p", "div", "li", "blockquote", "td", "h2"]


def element(children: list[str], name: str, attrs: dict[str, str]) -> str:
    rendered = "".join(f' {k}="{escape(v, quote=True)}"' for k, v in attrs.items())
    return f"<{name}{rendered}>{''.join(children)}</{name}>"


attributes = st.dictionaries(
    st.sampled_from(["class", "title", "href", "data-x", "alt"]), words, max_size=2
)
leaves = st.one_of(
    words.map(lambda t: escape(t, quote=False)),
    st.just("<br>"),
    st.just('<img src="x.png" alt="Bild">'),
)
inline = st.recursive(
    leaves,
    lambda kids: st.builds(
        element, st.lists(kids, max_size=4), st.sampled_from(INLINE), attributes
    ),
    max_leaves=12,
)
blocks = st.recursive(
    st.builds(element, st.lists(inline, max_size=4), st.sampled_from(BLOCK), attributes),
    lambda kids: st.builds(
        element, st.lists(st.one_of(kids, inline), max_size=4), st.sampled_from(BLOCK), attributes
    ),
    max_leaves=8,
)
fragments = st.lists(blocks, min_size=1, max_size=4).map("".join)


@settings(max_examples=150, deadline=None)
@given(html=fragments)
def test_arbitrary_nested_markup_round_trips_exactly_under_an_echo(html: str) -> None:
    doc, untouched = echo_round_trip(html)
    assert doc.render() == untouched
    assert browser_tree(doc.render()) == browser_tree(html)


_PLACEHOLDER = re.compile(r"</?[a-z]\d+/?>")


@settings(max_examples=150, deadline=None)
@given(
    html=fragments,
    noise=st.lists(
        st.one_of(
            words,
            st.sampled_from(
                [
                    "<script>alert(1)</script>",
                    '<img src=x onerror="alert(2)">',
                    '<a href="javascript:alert(3)">x</a>',
                    "<iframe src=//evil>",
                    "</p><p>",
                    "<b1>",
                    "&lt;b&gt;",
                    "]]>",
                    "<!--",
                    "<x9/>",
                ]
            ),
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_no_model_answer_can_inject_markup(html: str, noise: list[str]) -> None:
    doc = HtmlDocument(html)
    before = browser_tree(html, text=False)
    for segment in doc.segments:
        # The model keeps the placeholders (so the answer is accepted) and writes anything between.
        kept = _PLACEHOLDER.findall(segment.text)
        answer = "".join(n + k for n, k in zip(noise * (len(kept) + 1), [*kept, ""], strict=False))
        try:
            segment.put(parse(answer, segment.nodes))
        except MarkupMismatch:
            continue  # refused: the source stays
    assert browser_tree(doc.render(), text=False) == before
