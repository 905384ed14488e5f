"""Spaces a model dropped beside a placeholder are put back, at either edge and inside pairs."""

from __future__ import annotations

import pytest

from dragoman.chains.markup.inline import Atom, Node, Pair, Text
from dragoman.chains.translate.validate import restore_spacing

CASES = [
    pytest.param(
        [Pair(1, "a", [Text("here")]), Text(" now")],
        [Pair(1, "a", [Text("hier")]), Text("jetzt")],
        [Pair(1, "a", [Text("hier")]), Text(" jetzt")],
        True,
        id="space-after-a-pair",
    ),
    pytest.param(
        [Text("see "), Pair(1, "a", [Text("here")])],
        [Text("siehe"), Pair(1, "a", [Text("hier")])],
        [Text("siehe "), Pair(1, "a", [Text("hier")])],
        True,
        id="space-before-a-pair",
    ),
    pytest.param(
        [Text("run "), Atom(1), Text(" now")],
        [Text("starte"), Atom(1), Text("jetzt")],
        [Text("starte "), Atom(1), Text(" jetzt")],
        True,
        id="both-edges-of-an-atom",
    ),
    pytest.param(
        [Pair(1, "b", [Text("very "), Pair(2, "i", [Text("big")]), Text(" news")])],
        [Pair(1, "b", [Text("sehr"), Pair(2, "i", [Text("große")]), Text("Neuigkeit")])],
        [Pair(1, "b", [Text("sehr "), Pair(2, "i", [Text("große")]), Text(" Neuigkeit")])],
        True,
        id="nested-pair",
    ),
    pytest.param(
        [Pair(1, "a", [Text("here")]), Text(". Done")],
        [Pair(1, "a", [Text("hier")]), Text(". Fertig")],
        [Pair(1, "a", [Text("hier")]), Text(". Fertig")],
        False,
        id="punctuation-after-a-tag-is-no-loss",
    ),
    pytest.param(
        [Text("a"), Pair(1, "b", [Text("b")]), Text("c")],
        [Text("x"), Pair(1, "b", [Text("y")]), Text("z")],
        [Text("x"), Pair(1, "b", [Text("y")]), Text("z")],
        False,
        id="no-space-in-the-source-none-added",
    ),
]


@pytest.mark.parametrize(("source", "answer", "expected", "changed"), CASES)
def test_restore_spacing(
    source: list[Node], answer: list[Node], expected: list[Node], changed: bool
) -> None:
    assert restore_spacing(source, answer, "de") == (expected, changed)


@pytest.mark.parametrize("target", ["ja", "zh", "th"])
def test_languages_without_spaces_get_none(target: str) -> None:
    source = [Text("see "), Pair(1, "a", [Text("here")]), Text(" now")]
    answer = [Text("見て"), Pair(1, "a", [Text("ここ")]), Text("今")]
    assert restore_spacing(source, answer, target) == (answer, False)
