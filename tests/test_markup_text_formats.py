"""Plain text and Markdown go through the same segments and write-back as HTML."""

from __future__ import annotations

from dragoman.chains.markup.inline import parse
from dragoman.chains.markup.markdown import MarkdownDocument
from dragoman.chains.markup.plain import PlainDocument
from dragoman.services.llm.pseudo import pseudolocalize

MARKDOWN = """# Titel **fett** #

Ein *Absatz* mit `code` und [Link](http://x.de "T") und <span>roh</span>
zweite Zeile\\
dritte.

> Zitat mit ![Bild](a.png) und <http://auto.link>

- Punkt **eins**
  weiter

| A | B |
|---|---|
| Zelle eins | Zelle *zwei* |

```
code block bleibt
```
Setext
======
"""


def apply_all(doc, answer) -> str:
    for segment in doc.segments:
        segment.put(parse(answer(segment.text), segment.nodes))
    return doc.render()


def test_markdown_segments_hide_code_targets_and_raw_html() -> None:
    texts = [s.text for s in MarkdownDocument(MARKDOWN).segments]
    assert texts[:3] == [
        "Titel <b1>fett</b1>",
        "Ein <i1>Absatz</i1> mit <x2/> und <a3>Link</a3> und <x4/>roh<x5/> zweite Zeile<x6/>dritte.",
        "Zitat mit <x1/> und <x2/>",
    ]
    assert "code block" not in " ".join(texts)
    assert "Zelle <i1>zwei</i1>" in texts


def test_markdown_echo_is_byte_identical() -> None:
    assert apply_all(MarkdownDocument(MARKDOWN), lambda text: text) == MARKDOWN


def test_markdown_translation_keeps_structure_and_escapes_model_text() -> None:
    out = apply_all(
        MarkdownDocument(MARKDOWN), lambda t: pseudolocalize(t).replace("ŕöĥ", "<b>*x*</b>")
    )
    assert out.startswith("# \\[Ţîţéĺ **ƒéţţ**\\] #\n")
    assert '[Ĺîñķ](http://x.de "T")' in out and "`code`" in out and "<span>" in out
    assert "\\<b\\>\\*x\\*\\</b\\>" in out  # model text can never become markup
    assert "```\ncode block bleibt\n```" in out
    assert "| \\[Žéĺĺé éîñš\\] | \\[Žéĺĺé *žŵéî*\\] |" in out


def test_plain_text_paragraphs_lists_and_urls() -> None:
    text = (
        "Hallo Welt, siehe https://example.com/x.\n\n"
        "Dies ist ein langer Absatz, der über mehrere Zeilen umbrochen wurde, damit\n"
        "er in ein Terminal passt. Er geht hier weiter und endet irgendwann auch.\n\n"
        "- Punkt eins\n  2. Punkt zwei\n"
    )
    doc = PlainDocument(text)
    assert [s.text for s in doc.segments] == [
        "Hallo Welt, siehe <x1/>.",
        "Dies ist ein langer Absatz, der über mehrere Zeilen umbrochen wurde, damit er in ein "
        "Terminal passt. Er geht hier weiter und endet irgendwann auch.",
        "Punkt eins",
        "Punkt zwei",
    ]
    assert apply_all(PlainDocument(text), lambda t: t) == text
    out = apply_all(PlainDocument(text), pseudolocalize)
    assert "https://example.com/x" in out and "\n- [Þûñķţ éîñš]\n  2. [Þûñķţ žŵéî]\n" in out
    assert (
        max(len(line) for line in out.split("\n")) <= 76
    )  # the wrapped paragraph is wrapped again


def test_markdown_link_targets_are_written_as_the_author_wrote_them() -> None:
    # Before #35 markdown-it's percent-encoding rewrote 7 of 18 fragments of a German README
    # (#stündliche-daten → #st%C3%BCndliche-daten), breaking the links into its own headings.
    source = (
        "Siehe [die Daten](#stündliche-daten), [Datei](<mein file.md>), "
        '[Wiki](https://de.wikipedia.org/wiki/Ton_(Musik)) und ![Bild](bilder/größe.png "Titel").'
    )
    out = apply_all(MarkdownDocument(source), pseudolocalize)
    for target in (
        "(#stündliche-daten)", "(<mein file.md>)", "(https://de.wikipedia.org/wiki/Ton_(Musik))",
        '(bilder/größe.png "Titel")',
    ):  # fmt: skip
        assert target in out, (target, out)
    assert out != source and "%C3" not in out


def test_words_all_in_one_link_are_translated_inside_it() -> None:
    # An EPUB's navigation allows no text beside a <li>'s link: the model sees the words alone,
    # so whatever it writes goes back inside the link.
    from dragoman.chains.markup.html import HtmlDocument

    document = HtmlDocument('<ol><li><a href="c.xhtml#i">Chapter one</a></li></ol>')
    (segment,) = document.segments
    assert segment.text == "Chapter one"
    segment.put(parse("[Kapitel eins]", segment.nodes))
    assert '<li><a href="c.xhtml#i">[Kapitel eins]</a></li>' in document.render()


def test_each_format_is_one_row_that_names_its_reader_writer_and_proofreader() -> None:
    from typing import get_args

    from dragoman.chains.formats import FILE_FORMATS, TEXT_DOCUMENTS, ProofreadFormat, format_of
    from dragoman.chains.proofread.regions import REGIONS

    assert set(REGIONS) == set(get_args(ProofreadFormat))  # every proofreading reader exists
    for row in FILE_FORMATS.values():
        assert row.proofread_as in REGIONS
        assert not (row.parse and row.load), row.name  # a text or a container, never both
        assert all(format_of(f"x{ext}") is row for ext in row.extensions), row.name
    assert {r.name: r.parse for r in FILE_FORMATS.values() if r.parse} == TEXT_DOCUMENTS
