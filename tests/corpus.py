"""Access to the shared corpus beside the checkout (../shared/corpus), read in each page's charset."""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@dataclass(frozen=True)
class Page:
    """One saved web page of the corpus."""

    file: str
    lang: str
    kind: str
    charset: str

    @property
    def path(self) -> Path:
        return CORPUS / "html" / self.file

    def text(self) -> str:
        """The page decoded in its real charset (the manifest's, which the tests trust)."""
        return self.path.read_bytes().decode(codec_name(self.charset), errors="strict")


def codec_name(charset: str) -> str:
    """Map manifest charsets such as 'iso-8859-6-arabic' onto a Python codec."""
    parts = charset.lower().split("-")
    for end in range(len(parts), 0, -1):
        try:
            return codecs.lookup("-".join(parts[:end])).name
        except LookupError:
            continue
    raise LookupError(charset)


@cache
def pages() -> list[Page]:
    """Every page listed in the manifest; skips the calling test if the corpus is absent."""
    manifest = CORPUS / "html" / "manifest.tsv"
    if not manifest.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    with manifest.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [
        Page(r["file"], r["lang"], r["kind"], r["charset"] or r["declared_charset"]) for r in rows
    ]


def page_files() -> list[str]:
    """Names of all pages, for parametrising (empty when the corpus is absent)."""
    manifest = CORPUS / "html" / "manifest.tsv"
    if not manifest.exists():
        return []
    return [p.file for p in pages()]
