"""English proofreading under hostile input: a token longer than any word costs Harper memory
that grows with its square, so such tokens never reach it; a sentence's cost grows with the
square of its length, so Harper reads windows; offsets around both stay exact."""

from __future__ import annotations

import subprocess
import sys
import time
import unicodedata

from dragoman.chains.proofread.harper import harper_issues

# Peak memory of one Harper pass over a text, in a fresh process (Harper allocates in Rust, out
# of tracemalloc's sight): ru_maxrss after, less before.
MEASURE = """
import resource, sys
from dragoman.services.nlp import harper_linter
from dragoman.chains.proofread.harper import harper_issues
linter = harper_linter("en-US")
list(harper_issues(linter, "Warm up the linter.", ["grammar"], "en-US", frozenset()))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
list(harper_issues(linter, sys.argv[1], ["grammar", "style"], "en-US", frozenset()))
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


def _peak_mb(text: str) -> int:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, text], capture_output=True, text=True, check=True
    ).stdout
    return int(out.strip().splitlines()[-1])


def test_one_long_word_costs_no_memory_to_speak_of() -> None:
    # Before #34: +800 MB for 40,000 letters (+290 MB for 12,000).
    assert _peak_mb("Please read " + "a" * 40_000 + " today.") < 50


def test_offsets_around_a_long_token_stay_exact(linter) -> None:
    text = "Thsi is fine. " + "x" * 500 + " But this wrd is not."
    found = [text[i.offset : i.offset + i.length] for i in harper_issues(
        linter, text, ["grammar", "style"], "en-US", frozenset())]  # fmt: skip
    assert found == ["Thsi", "wrd"]


def _found(linter, text: str) -> list[tuple[int, str]]:
    issues = harper_issues(linter, text, ["grammar", "style"], "en-US", frozenset())
    return [(i.offset, text[i.offset : i.offset + i.length]) for i in issues]


def test_errors_far_into_a_long_text_keep_their_offsets(linter) -> None:
    sentence = "The report is ready and the team is happy with it. "
    text = sentence * 60 + "But this wrd is not. " + sentence * 60 + "And teh end."
    wrong = [(text.index("wrd"), "wrd"), (text.index("teh"), "teh")]
    assert _found(linter, text) == wrong


def test_a_sentence_cut_into_windows_is_flagged_only_where_it_is_wrong(linter) -> None:
    # One 3,000-character sentence, cut into windows: neither a cut nor the sentence's own start
    # is flagged (a lint reaching a cut saw only part of the sentence).
    text = "It was " + "very, " * 500 + "good and this wrd is wrong."
    assert _found(linter, text) == [(text.index("wrd"), "wrd")]


def test_one_long_sentence_of_cjk_or_emoji_costs_time_in_proportion(linter) -> None:
    # Before #34: 5.6 s for 12,000 characters of emoji and astral CJK, 52 s for 48,000.
    def cost(text: str) -> float:
        started = time.process_time()
        _found(linter, text)
        return time.process_time() - started

    cost("😀𠀀 " * 100)  # warm
    small, large = cost("😀𠀀 " * 1000), cost("😀𠀀 " * 16_000)
    assert large < 16 * 4 * max(small, 0.02), (small, large)


def test_words_typed_decomposed_are_whole_words_with_exact_offsets(linter) -> None:
    # Before #34: Harper cut each word typed decomposed at its combining mark ("naive" was
    # flagged as "nai").
    text = unicodedata.normalize("NFD", "The naïve café owner sent her résumé, and teh rest left.")
    assert _found(linter, text) == [(text.index("teh"), "teh")]


PARSE_PEAK = """
import resource, sys
from dragoman.chains.proofread.parsing import Layers, ProofreadOptions, parse
from dragoman.services.nlp import english_nlp, harper_linter
layers = Layers(english_nlp(), harper_linter("en-US"))
parse("Warm up the parser.", "text", ProofreadOptions(), layers)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
parse(sys.argv[1], "text", ProofreadOptions(), layers)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


def test_one_sentence_of_forty_thousand_characters_parses_in_bounded_memory() -> None:
    # Before #34: spaCy held the whole text's docs at once, about 7 KB a token: +1.2 GB for
    # 100,000 characters of "<b>x " (+330 MB for 25,000).
    text = "<b>x " * 8_000
    out = subprocess.run(
        [sys.executable, "-c", PARSE_PEAK, text], capture_output=True, text=True, check=True
    ).stdout
    assert int(out.strip().splitlines()[-1]) < 100


def test_sentences_and_passives_past_the_first_window_keep_their_offsets(nlp, linter) -> None:
    from dragoman.chains.proofread.parsing import Layers, ProofreadOptions, parse

    text = "The team met on Monday and talked about the plan. " * 150
    text += "The report was written by the new manager. It is good."
    parsed = parse(text, "text", ProofreadOptions(), Layers(nlp, linter))
    assert len(text) > 5_000 and len(parsed.sentences) == 152
    assert all(text[s.start : s.end] == s.text for s in parsed.sentences)
    assert [s.text.strip() for s in parsed.sentences[-2:]] == [
        "The report was written by the new manager.", "It is good."
    ]  # fmt: skip
    ((region, passive),) = parsed.passives
    assert text[passive.start : passive.end] == "was written"


class CountingNlp:
    """spaCy's pipeline, keeping the texts it parses (its sentence model alone is not a parse)."""

    def __init__(self, nlp) -> None:
        self._nlp = nlp
        self.parsed: list[str] = []

    def pipe(self, texts, **kwargs):
        texts = list(texts)
        self.parsed += texts
        return self._nlp.pipe(texts, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._nlp, name)


def test_a_window_without_be_or_get_is_split_into_sentences_not_parsed(nlp, linter) -> None:
    # Before #34 every window was parsed: 100,000 characters of "<b>x " (80,000 tokens) took
    # 8.6 s, 5,000 "a " 6 s. No passive is there to find without a form of "be" or "get".
    from dragoman.chains.proofread.parsing import Layers, ProofreadOptions, parse

    text = "Anna wrote the report. Then she left.\n\nThe report was written by Anna.\n\n"
    text += "<b>x " * 2_000
    counting = CountingNlp(nlp)
    parsed = parse(text, "text", ProofreadOptions(), Layers(counting, linter))
    assert counting.parsed == ["The report was written by Anna."]
    assert [s.text.strip() for s in parsed.in_region(0)] == [
        "Anna wrote the report.",
        "Then she left.",
    ]
    ((region, passive),) = parsed.passives
    assert parsed.regions[region].text[passive.start : passive.end] == "was written"
    assert parsed.in_region(2)  # the markup-like run is still read as sentences

    counting.parsed.clear()  # passives not asked for: nothing to parse
    parse(text, "text", ProofreadOptions(checks=("grammar",)), Layers(counting, linter))
    assert counting.parsed == []


class CountingLinter:
    """Harper's linter, counting its calls."""

    def __init__(self, linter) -> None:
        self._linter = linter
        self.calls = 0

    def organized_lints(self, text: str, *, language="plaintext"):
        self.calls += 1
        return self._linter.organized_lints(text, language=language)


# Short paragraphs that Harper might read across if they were one text: a heading without a full
# stop before a misspelt capital, a quote closed a paragraph later, a word repeated over a break.
PARAGRAPHS = [
    "Heading", "Teh cat sat on the mat.", 'He said "hi', 'there" and left.', "the",
    "the end is near.", "i think so.", "She saw the the dog.", "A long paragraph that says little. " * 9,
]  # fmt: skip


def test_short_paragraphs_are_linted_together_with_the_issues_each_has_alone(linter) -> None:
    # Before #34 each paragraph was a call, a quarter of a millisecond however short: 5,000
    # one-line paragraphs took 2.8 s of Harper.
    from dragoman.chains.proofread.harper import harper_issues_of

    texts = PARAGRAPHS * 40
    checks = ["grammar", "style"]
    counting = CountingLinter(linter)
    together = list(harper_issues_of(counting, texts, checks, "en-US", frozenset()))
    alone = [
        (k, issue)
        for k, text in enumerate(texts)
        for issue in harper_issues(linter, text, checks, "en-US", frozenset())
    ]

    extra = set(together) - set(alone)
    assert set(alone) <= set(together)
    # Harper lets some one-sentence texts start in lower case ("the end is near."), never a
    # paragraph of a longer text: read together, such a paragraph's start is flagged, nothing else.
    assert extra and all(
        i.rule == "UPPERCASE_SENTENCE_START" and i.offset == 0 and texts[k][0].islower()
        for k, i in extra
    )
    assert {texts[k][i.offset : i.offset + i.length] for k, i in alone} >= {"Teh", "the the", '"'}
    long_ones = sum(len(t) > 250 for t in texts)
    assert counting.calls <= 3 * long_ones + sum(map(len, texts)) // 1_000
