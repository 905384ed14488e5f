"""Placeholder strings: serialised from source trees and parsed back only when they fit."""

from __future__ import annotations

import re

import pytest

from dragoman.chains import MarkupMismatch
from dragoman.chains.markup.inline import Atom, Pair, Text, parse, serialize

SOURCE = [Text("Click "), Pair(1, "a", [Text("here")]), Text(" to see "), Atom(2), Text(" now.")]


def test_serialize_collapses_whitespace_but_keeps_no_break_spaces() -> None:
    assert serialize(SOURCE) == "Click <a1>here</a1> to see <x2/> now."
    assert serialize([Text("  a\n\t b\u00a0c ")]) == "a b\u00a0c"


def test_parse_accepts_reordered_translation_and_keeps_other_text_literal() -> None:
    nodes = parse("Um <x2/> zu sehen, <a1>hier</a1> klicken <script>alert(1)</script>", SOURCE)
    assert nodes[1] == Atom(2)
    assert nodes[3] == Pair(1, "a", [Text("hier")])
    assert nodes[-1] == Text(" klicken <script>alert(1)</script>")


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ("<a1>hier", "never closed"),
        ("hier</a1> <x2/>", "out of order"),
        ("<a1>x</a1><a1>y</a1><x2/>", "repeated: [1]"),
        ("<a1>x</a1>", "missing: [2]"),
        ("<a1>x <x2/></a1>", "moved to another parent"),
        ("<a1>x</a1> <x2>", "changed kind"),
        ("<a1>x</a1> <x2/> <b3>neu</b3>", "unknown placeholder"),
        ("<b1>x</b1> <x2/>", "unknown placeholder"),
    ],
)
def test_parse_rejects_answers_that_do_not_fit(answer: str, problem: str) -> None:
    with pytest.raises(MarkupMismatch, match=re.escape(problem)):
        parse(answer, SOURCE)
