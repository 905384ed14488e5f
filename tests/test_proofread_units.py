"""Deterministic checks, the correction diff and its guards, and prose regions per format."""

from __future__ import annotations

import pytest

from dragoman.chains.proofread import CHECKS, RuleFilter, rule_issues
from dragoman.chains.proofread.diff import diff_edits
from dragoman.chains.proofread.harper import harper_issues
from dragoman.chains.proofread.regions import prose_regions
from dragoman.services.nlp import harper_linter


def flagged(text: str, linter, dialect: str = "en-US", dictionary=frozenset()) -> list[tuple]:
    issues = [
        *rule_issues(text, CHECKS),
        *harper_issues(linter, text, list(CHECKS), dialect, dictionary),
    ]
    shown = sorted((i for i in issues if RuleFilter().wants(i)), key=lambda i: i.offset)
    return [(i.rule, text[i.offset : i.offset + i.length], i.replacements) for i in shown]


def test_repeated_words_but_not_legitimate_doubles(linter) -> None:
    assert flagged("I saw the the cat.", linter) == [
        ("ENGLISH_WORD_REPEAT_RULE", "the the", ("the",))
    ]
    assert flagged("He had had enough. I know that that is true.", linter) == []


@pytest.mark.parametrize(
    ("text", "fix"),
    [
        ("I ate a apple.", "an"),
        ("I saw an house.", "a"),
        ("It took a hour.", "an"),
        ("I have a MRI.", "an"),
    ],
)
def test_a_or_an_by_sound(linter, text: str, fix: str) -> None:
    assert [(rule, fixes[0]) for rule, _, fixes in flagged(text, linter)] == [("EN_A_VS_AN", fix)]


@pytest.mark.parametrize(
    "text", ["It took an hour.", "It is a university.", "He has an MBA.", "It is a one-time offer."]
)
def test_correct_articles_pass(linter, text: str) -> None:
    assert flagged(text, linter) == []


def test_doubled_spaces_and_punctuation_but_not_an_ellipsis(linter) -> None:
    assert flagged("Hello  world,, fine.. ok... yes", linter) == [
        ("WHITESPACE_RULE", "  ", (" ",)),
        ("DOUBLE_PUNCTUATION", ",,", (",",)),
        ("DOUBLE_PUNCTUATION", "..", (".",)),
    ]


def test_spelling_spares_names_acronyms_and_the_dictionary(linter) -> None:
    text = "Yesterday I met Nadeem from Kiewit at the RDX office and we recieved a zorbify."
    assert [word for _, word, _ in flagged(text, linter)] == ["recieved", "zorbify"]
    assert [w for _, w, _ in flagged(text, linter, dictionary=frozenset({"zorbify"}))] == [
        "recieved"
    ]


def test_spelling_rule_ids_follow_the_dialect(linter) -> None:
    british = harper_linter("en-GB")
    assert flagged("I recieved it.", british, "en-GB")[0][0] == "MORFOLOGIK_RULE_EN_GB"
    assert flagged("The colour is grey.", british, "en-GB") == []
    assert {w for _, w, _ in flagged("The colour is grey.", linter)} >= {"colour"}


def test_harper_rules_take_languagetool_names_and_categories(linter) -> None:
    issues = list(
        harper_issues(linter, "Its a good idea. their going.", list(CHECKS), "en-US", frozenset())
    )
    names = {(i.rule, i.rule_category) for i in issues}
    assert ("ITS_CONTRACTION", "PUNCTUATION") in names
    assert ("UPPERCASE_SENTENCE_START", "CASING") in names
    assert all("`" not in i.message for i in issues)


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
        ("I like the red car.", "I like the car.", []),  # a content word dropped
        ("I will go home.", "I will go home tomorrow.", []),  # a content word added
        (
            "Their going tomorow.",
            "They're going tomorrow.",
            [("Their", "They're"), ("tomorow", "tomorrow")],
        ),
    ],
)
def test_diff_builds_edits_and_rejects_unsafe_ones(annotator, original, corrected, edits) -> None:
    found = diff_edits(annotator, original, corrected)
    assert found is not None
    assert [(original[e.start : e.end], e.replacement) for e in found] == edits


def test_diff_rejects_a_rewrite(annotator) -> None:
    assert (
        diff_edits(annotator, "The cat sat on the mat.", "A dog was lying on a rug near the door.")
        is None
    )


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
