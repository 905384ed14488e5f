"""Deterministic checks, the correction diff and its guards, and prose regions per format."""

from __future__ import annotations

import pytest

from dragoman.chains.proofread import CHECKS, rule_issues
from dragoman.chains.proofread.diff import diff_edits
from dragoman.chains.proofread.regions import prose_regions


def flagged(text: str) -> list[tuple[str, str, tuple[str, ...]]]:
    return [
        (i.rule, text[i.offset : i.offset + i.length], i.replacements)
        for i in rule_issues(text, CHECKS)
    ]


def test_repeated_words_but_not_legitimate_doubles() -> None:
    assert flagged("I saw the the cat.") == [("REPEATED_WORD", "the the", ("the",))]
    assert flagged("He had had enough. I know that that is true.") == []


@pytest.mark.parametrize(
    ("text", "fix"),
    [
        ("a apple", "an"),
        ("an banana", "a"),
        ("a hour", "an"),
        ("an university", "a"),
        ("a MBA", "an"),
        ("an European", "a"),
        ("A orange", "An"),
    ],
)
def test_a_or_an_by_sound(text: str, fix: str) -> None:
    assert flagged(text) == [("A_VS_AN", text.split()[0], (fix,))]


@pytest.mark.parametrize(
    "text", ["an hour", "a university", "an MBA", "a one-time offer", "an apple", "a house"]
)
def test_correct_articles_pass(text: str) -> None:
    assert flagged(text) == []


def test_double_spaces_and_punctuation_but_not_ellipsis() -> None:
    assert flagged("Hello  world,, fine.. ok... yes") == [
        ("DOUBLE_SPACE", "  ", (" ",)),
        ("DOUBLE_PUNCTUATION", ",,", (",",)),
        ("DOUBLE_PUNCTUATION", "..", (".",)),
    ]


@pytest.mark.parametrize(
    ("original", "corrected", "edits"),
    [
        (
            "She go to school every days.",
            "She goes to school every day.",
            [("go", "goes"), ("days", "day")],
        ),
        ("I have apple.", "I have an apple.", [("apple", "an apple")]),
        ("I saw the the cat.", "I saw the cat.", [(" the", "")]),
        ("He paid 20 dollars.", "He paid 30 dollars.", []),
        ("I do not like it.", "I like it.", []),
        ("Tell Bob now.", "Tell Alice now.", []),
        ("The plan is updated.", "The plan is revised.", []),
        (
            "Their going tomorow.",
            "They're going tomorrow.",
            [("Their", "They're"), ("tomorow", "tomorrow")],
        ),
    ],
)
def test_diff_builds_edits_and_rejects_unsafe_ones(original, corrected, edits) -> None:
    found = diff_edits(original, corrected)
    assert found is not None
    assert [(original[e.start : e.end], e.replacement) for e in found] == edits


def test_diff_rejects_a_rewrite() -> None:
    assert diff_edits("The cat sat on the mat.", "A dog was lying on a rug near the door.") is None


def test_html_regions_skip_code_and_map_offsets() -> None:
    html = "<p>This is &amp; a <b>test</b> with <code>x = 1</code> code.</p><pre>skip me</pre><p>Second  para.</p>"
    first, second = prose_regions(html, "html")
    assert first.text == "This is & a test with X code."
    start = first.text.index("test")
    assert html[slice(*first.to_input(start, start + 4))] == "test"
    assert first.to_input(first.text.index("&"), first.text.index("&") + 1) is None  # an entity
    assert (
        first.to_input(first.text.index("a test"), first.text.index("a test") + 6) is None
    )  # spans <b>
    assert second.text == "Second  para."


def test_email_regions_skip_quotes_reply_headers_and_signature() -> None:
    mail = (
        "Hi Bob,\n\nI has seen the report.\n\n"
        "On Mon, Jan 1, 2024 at 10:00 AM Alice <a@x.org>\nwrote:\n> Old text here.\n\n"
        "Thanks\n-- \nAlice, a orange company\n"
    )
    texts = [r.text for r in prose_regions(mail, "email")]
    assert "".join(texts).count("I has seen") == 1
    assert "Old text" not in "".join(texts) and "wrote" not in "".join(texts)
    assert "orange company" not in "".join(texts)


def test_markdown_regions_skip_code_and_link_targets() -> None:
    md = "# Title here\n\nSome *emph* text with `code` and [a link](http://x) here\nsecond line.\n\n```\ncode block\n```\n"
    regions = prose_regions(md, "markdown")
    assert [r.text for r in regions] == [
        "Title here",
        "Some emph text with X and a link here second line.",
    ]
    second = regions[1]
    at = second.text.index("second")
    assert md[slice(*second.to_input(at, at + 6))] == "second"
