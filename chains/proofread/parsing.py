"""Reading an input for proofreading: its prose regions, each region's language, and the
sentences in them (spaCy's English pipeline, or a rule-based splitter for other languages)."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..detect import detect_language
from ..languages import is_english, primary
from ..scripts import wide_count
from .diff import Annotator
from .french import GrammarServer
from .grammar import Corrector
from .harper import Linter
from .issues import CHECKS, Check
from .passive import Passive, find_passives, may_hold_passive
from .regions import Region, prose_regions
from .spelling import Speller
from .taxonomy import RuleFilter
from .verify import Verifier
from .windows import windows

# A region is checked in a language other than the one asked only when detection is this sure
# of it, on at least this many letters (a short line is too easily taken for another language).
_SURE, _SURE_LETTERS = 0.9, 40
_LONG_RUN = re.compile(r"\S{101,}")
# spaCy's memory grows faster than a sentence's length (+1.2 GB for one of 100,000 characters):
# it reads windows of sentences, a sentence longer than this cut.
_SPACY_WINDOW = 5000
# What a passive is found by: tags and the parse. The lemmatizer (and the rules it needs) would
# cost a fifth of the parse; ERRANT, which reads lemmas, parses with the whole pipeline.
_UNREAD = ["attribute_ruler", "lemmatizer"]


@dataclass(frozen=True)
class ProofreadOptions:
    """What to check and show: the checks, LanguageTool's rule options, the language (a code such
    as de-AT, or auto), English's dialect, known words."""

    checks: tuple[Check, ...] = CHECKS
    rules: RuleFilter = field(default_factory=RuleFilter)
    dialect: str = "en-US"
    dictionary: frozenset[str] = frozenset()  # known in every language
    language: str = "en"
    preferred: tuple[str, ...] = ()  # variants a detected language is checked as (de-AT)
    # Known in one language only, by primary code: under auto, a paragraph in German is spared
    # the German words, never the French ones.
    by_language: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def known(self, language: str) -> frozenset[str]:
        """The words never flagged in a text in `language`."""
        return self.dictionary | self.by_language.get(primary(language), frozenset())

    def known_anywhere(self) -> frozenset[str]:
        """The words known in some language (what a model's spelling edit must leave alone)."""
        return self.dictionary.union(*self.by_language.values())


@dataclass
class Layers:
    """The checkers: spaCy for sentences and passives, Harper, and the model with ERRANT for
    English; for other languages a sentence splitter and a Hunspell speller, by language code."""

    nlp: Any
    linter: Linter
    annotator: Annotator | None = None
    corrector: Corrector | None = None
    verifier: Verifier | None = None  # a language model that must prefer each model edit
    speller: Callable[[str], Speller | None] | None = None
    splitter: Callable[[str], Any] | None = None  # a sentence splitter for a language code
    grammar: Callable[[str], GrammarServer | None] | None = None  # a rule checker by language


@dataclass
class Sentence:
    region: int
    start: int
    end: int
    text: str


@dataclass
class Parsed:
    regions: list[Region]
    sentences: list[Sentence]
    passives: list[tuple[int, Passive]]
    languages: list[str] = field(default_factory=list)  # each region's

    _by_region: dict[int, tuple[list[Sentence], list[int]]] | None = field(default=None, repr=False)

    def english(self, region: int) -> bool:
        """Whether region `region` is in English (Harper, passives and the model check it)."""
        return is_english(self.languages[region])

    def in_region(self, region: int) -> list[Sentence]:
        """The sentences of region `region`, in order (indexed once: a text may have thousands)."""
        return self._indexed(region)[0]

    def sentence_at(self, region: int, offset: int) -> str:
        """The text of the sentence of region `region` that holds `offset`, else ""."""
        sentences, starts = self._indexed(region)
        i = bisect_right(starts, offset) - 1
        return sentences[i].text if i >= 0 and offset < sentences[i].end else ""

    def _indexed(self, region: int) -> tuple[list[Sentence], list[int]]:
        if self._by_region is None:
            self._by_region = {}
            for s in self.sentences:
                self._by_region.setdefault(s.region, ([], []))[0].append(s)
            for sentences, starts in self._by_region.values():
                starts += [s.start for s in sentences]
        return self._by_region.get(region, ([], []))


def sentence_spans(parsed: Parsed) -> list[tuple[int, int]]:
    """Each sentence's span in the input, from its first to its last character that is there."""
    spans = []
    for s in parsed.sentences:
        origins = [o for o in parsed.regions[s.region].origins[s.start : s.end] if o >= 0]
        if origins:
            spans.append((origins[0], origins[-1] + 1))
    return spans


def _checked_as(language: str, options: ProofreadOptions) -> str:
    """A language code as it is checked: English as the dialect, others as a preferred variant."""
    if is_english(language):
        return options.dialect
    variants = [v for v in options.preferred if primary(v) == primary(language)]
    return variants[0] if variants else language


def _region_language(text: str, asked: str, options: ProofreadOptions) -> str:
    """The language a region is checked in: `asked` (under auto, the whole text's), unless the
    region is surely another (a paragraph in English inside a German e-mail). A short line's
    guess is never trusted: "Hallo Anna," is no Italian, "Servus Max," no Estonian."""
    detected, confidence = detect_language(text)
    letters = sum(c.isalpha() for c in text) + wide_count(text)  # a wide letter tells more
    sure = confidence >= _SURE and letters >= _SURE_LETTERS
    if sure and primary(detected) != primary(asked):
        return _checked_as(detected, options)
    return _checked_as(asked, options)


def _languages(regions: list[Region], options: ProofreadOptions, layers: Layers) -> list[str]:
    """Each region's language; under auto the whole text's detected language is the default."""
    if layers.speller is None:
        return [options.dialect] * len(regions)  # English only
    asked = options.language
    if asked == "auto":
        asked = detect_language("\n".join(r.text for r in regions))[0]
    return [_region_language(r.text, asked, options) for r in regions]


def _tame(text: str) -> str:
    """`text` for spaCy, same length: each run without spaces longer than any word becomes as
    many x. spaCy's tokenizer peels a run's prefixes and suffixes one by one, each a search of
    what is left: 8,000 quotation marks in a row took it 5 s."""
    return _LONG_RUN.sub(lambda run: "x" * len(run.group()), text)


def _sentences(n: int, text: str, doc: Any, offset: int = 0) -> list[Sentence]:
    """Region `n`'s sentences in a doc of it from `offset` on, their text taken from the region
    (spaCy saw it tamed)."""
    spans = [(offset + s.start_char, offset + s.end_char) for s in doc.sents]
    return [Sentence(n, a, b, text[a:b]) for a, b in spans if text[a:b].strip()]


def _spacy_windows(regions: list[Region], english: list[int]) -> list[tuple[int, int, str]]:
    """The English regions as spaCy reads them: region, offset, window."""
    return [
        (n, start, regions[n].text[start:end])
        for n in english
        for start, end, _, _ in windows(regions[n].text, 0, len(regions[n].text), _SPACY_WINDOW)
    ]


def _parsed(nlp: Any, pieces: list[tuple[int, int, str]], passives: bool) -> Iterator[Any]:
    """spaCy's docs of the windows, in batches of at most _SPACY_WINDOW characters (a batch's
    docs are alive at once, about 7 KB a token): parsed where a passive is asked for and may be,
    else only split into sentences by spaCy's small sentence model (a fortieth of the work)."""
    senter = nlp.get_pipe("senter")
    for parse, batch in _batches([window for _, _, window in pieces], passives):
        if parse:
            yield from passive_docs(nlp, batch)
        else:
            docs = (nlp.make_doc(window) for window in batch)
            yield from senter.pipe(docs, batch_size=len(batch))


def passive_docs(nlp: Any, texts: list[str]) -> Iterator[Any]:
    """spaCy's docs of `texts` as far as finding passives reads them: tags and the parse."""
    return nlp.pipe(texts, batch_size=len(texts), disable=_UNREAD)


def _batches(windows: list[str], passives: bool) -> Iterator[tuple[bool, list[str]]]:
    """Runs of windows, tamed, that are parsed alike and together hold at most _SPACY_WINDOW
    characters, each with whether it is parsed."""
    batch: list[str] = []
    size, parse = 0, False
    for window in windows:
        needs = passives and may_hold_passive(window)
        if batch and (size + len(window) > _SPACY_WINDOW or needs != parse):
            yield parse, batch
            batch, size = [], 0
        batch.append(_tame(window))
        size, parse = size + len(window), needs
    if batch:
        yield parse, batch


def parse(text: str, fmt: str, options: ProofreadOptions, layers: Layers) -> Parsed:
    regions = prose_regions(text, fmt)
    parsed = Parsed(regions, [], [], _languages(regions, options, layers))
    english = [n for n in range(len(regions)) if parsed.english(n)]
    pieces = _spacy_windows(regions, english)
    passives = "passive_voice" in options.checks
    for (n, offset, _), doc in zip(pieces, _parsed(layers.nlp, pieces, passives), strict=True):
        parsed.sentences += _sentences(n, regions[n].text, doc, offset)
        if doc.has_annotation("DEP"):
            parsed.passives += [
                (n, replace(p, start=offset + p.start, end=offset + p.end))
                for p in find_passives(doc)
            ]
    for n, region in enumerate(regions):
        if n not in english and layers.splitter is not None:
            doc = layers.splitter(parsed.languages[n])(_tame(region.text))
            parsed.sentences += _sentences(n, region.text, doc)
    parsed.sentences.sort(key=lambda s: (s.region, s.start))
    return parsed
