"""The pseudo backend changes every letter, brackets the text and keeps placeholders."""

from __future__ import annotations

from dragoman.services.llm.pseudo import PseudoLocalizer, pseudolocalize


def test_letters_are_accented_and_text_bracketed() -> None:
    out = pseudolocalize("Hello world")
    assert out == "[Ĥéĺĺö ŵöŕĺđ]"
    assert not any(c.isascii() and c.isalpha() for c in out)


def test_placeholders_and_outer_whitespace_survive() -> None:
    out = pseudolocalize("  see <a1>the docs</a1> or <x2/> now ")
    assert out.startswith("  [") and out.endswith("] ")
    assert "<a1>" in out and "</a1>" in out and "<x2/>" in out
    assert "see" not in out and "docs" not in out


def test_blank_text_is_unchanged() -> None:
    assert pseudolocalize(" \n") == " \n"


def test_is_a_langchain_llm() -> None:
    assert PseudoLocalizer().invoke("abc") == "[àƀç]"


def test_printf_and_icu_placeholders_survive() -> None:
    source = "%s saved %(count)d files (%1$s, %.2f%%) to {folder}; {0} left: {n, plural, one {# file} other {# files}}"
    out = pseudolocalize(source)
    for kept in [
        "%s",
        "%(count)d",
        "%1$s",
        "%.2f%%",
        "{folder}",
        "{0}",
        "{n, plural,",
        "one {#",
        "other {#",
    ]:
        assert kept in out, kept
    assert "saved" not in out and "files" not in out and "left" not in out
