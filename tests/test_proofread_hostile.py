"""English proofreading under hostile input: a token longer than any word costs Harper memory
that grows with its square, so such tokens never reach it, and offsets around them stay exact."""

from __future__ import annotations

import subprocess
import sys

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
