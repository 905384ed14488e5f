"""Grammar-error corpora as the grammar benchmark reads them: detokenised lines, their corrections,
and the gold edits' character spans that ERRANT finds between a line and each correction."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .common import CORPUS

GRAMMAR = CORPUS / "grammar"
# Penn-style splits that Moses does not rejoin: "do n't", "ca n't".
_NOT = re.compile(r"(\w) (n't)\b")


@dataclass
class Line:
    """One source line and its human corrections (all detokenised when the corpus is tokenised)."""

    source: str
    corrections: list[str]
    gold: list[list[tuple[int, int]]] = field(default_factory=list)  # spans per correction

    @property
    def unchanged(self) -> bool:
        """No annotator changed anything but whitespace."""
        return all(_squash(c) == _squash(self.source) for c in self.corrections)


def _squash(text: str) -> str:
    return " ".join(text.split())


@cache
def _detokenizer() -> Any:
    from sacremoses import MosesDetokenizer

    return MosesDetokenizer(lang="en")


def detokenise(line: str) -> str:
    """Tokenised corpus text ("it 's fine ." / "do n't") as it would have been written."""
    return _detokenizer().detokenize(_NOT.sub(r"\1\2", line).split())


def _read(path: Any) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _lines(stem: Any, suffixes: list[str], tokenised: bool) -> list[Line]:
    columns = [_read(stem.parent / f"{stem.name}.{s}") for s in ["source", *suffixes]]
    clean = detokenise if tokenised else str.strip
    return [Line(clean(row[0]), [clean(c) for c in row[1:]]) for row in zip(*columns, strict=True)]


def jfleg(split: str) -> list[Line]:
    """A JFLEG split (dev, test): learner sentences with their first reference, detokenised."""
    folder = GRAMMAR / "jfleg" / split
    sources, refs = _read(folder / f"{split}.src"), _read(folder / f"{split}.ref0")
    return [Line(detokenise(s), [detokenise(r)]) for s, r in zip(sources, refs, strict=True)]


def cweb(part: str) -> list[Line]:
    """CWEB-G or CWEB-S: web sentences (raw text) with both annotators' corrections."""
    return _lines(GRAMMAR / "cweb" / f"CWEB-{part}.test", ["ann1", "ann2"], tokenised=False)


def gmeg_wiki() -> list[Line]:
    """GMEG's Wikipedia test lines with their four references, detokenised."""
    return _lines(GRAMMAR / "gmeg_wiki" / "test", [f"ref{n}" for n in range(4)], tokenised=True)


def _char_span(doc: Any, start: int, end: int) -> tuple[int, int]:
    if start == end:  # an insertion: anchored on the next token, as Dragoman anchors its own
        start, end = (start, start + 1) if start < len(doc) else (start - 1, start)
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)


def gold_spans(annotator: Any, line: Line) -> Line:
    """Fill `line.gold`: ERRANT's edits from the source to each correction, as character spans."""
    orig = annotator.parse(line.source, tokenise=True)
    line.gold = []
    for correction in line.corrections:
        if _squash(correction) == _squash(line.source) or not len(orig):
            line.gold.append([])
            continue
        edits = annotator.annotate(orig, annotator.parse(correction, tokenise=True))
        line.gold.append([_char_span(orig, e.o_start, e.o_end) for e in edits if e.type != "noop"])
    return line
