"""A language model as a critic: how much likelier it finds a corrected sentence than the original.

This is how Bryant and Briscoe (2018) check a candidate correction with a language model: keep
it only when the model prefers it. It needs each token's log-probability, which llama-server's
API does not give for a prompt; so the critic runs in-process on a small GGUF of its own.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from ..catalog import ResolvedModel
from ..settings import Settings
from .embedded import load_llama, prepare_gguf

SCORER_CONTEXT = 256  # tokens; proofread sentences are at most 600 characters (~200 tokens)


class LlamaScorer:
    """Log-probability gains of edited sentences over their original, from one llama.cpp model."""

    def __init__(self, llama: Any, lock: threading.Lock) -> None:
        self._llama = llama
        self._lock = lock
        self._tokens: list[int] = []  # the last text this scorer evaluated
        self._picked: list[float] = []  # log P(its token i+1 | its tokens ≤ i)

    def gains(self, original: str, edited: list[str]) -> list[float | None]:
        """log P(each edited text) − log P(original); None where a text is too long to score."""
        with self._lock:
            base = self._logprob(original)
            if base is None:
                return [None] * len(edited)
            scores = [self._logprob(text) for text in edited]
        return [None if s is None else s - base for s in scores]

    def _logprob(self, text: str) -> float | None:
        """The text's total log-probability after the start-of-text token."""
        llama = self._llama
        tokens = llama.tokenize(text.encode("utf-8"), add_bos=True, special=False)
        if len(tokens) > llama.n_ctx() or len(tokens) < 2:
            return None
        # Keep what was evaluated for the previous text up to where this one differs (an edit's
        # shared prefix): its logits, and each of its tokens' log-probabilities, still hold.
        # (Another scorer on the same model may have evaluated since: compare with both.)
        same = _common(tokens[:-1], llama.input_ids[: llama.n_tokens], self._tokens)
        llama.n_tokens = same
        llama.eval(tokens[same:])
        del self._picked[max(same - 1, 0) :]
        for row in range(len(self._picked), len(tokens) - 1):
            logits = llama.scores[row]
            top = float(logits.max())
            norm = top + float(np.log(np.exp(logits - top, dtype=np.float64).sum()))
            self._picked.append(float(logits[tokens[row + 1]]) - norm)
        self._tokens = list(tokens)
        return sum(self._picked)


def _common(*sequences: Any) -> int:
    """How many leading items all the sequences share."""
    n = 0
    for items in zip(*sequences, strict=False):
        if any(x != items[0] for x in items[1:]):
            break
        n += 1
    return n


def make_scorer(resolved: ResolvedModel, settings: Settings) -> LlamaScorer:
    """Load the verifier's GGUF in-process, keeping every position's logits."""
    path = prepare_gguf(resolved, settings)
    return LlamaScorer(*load_llama(path, SCORER_CONTEXT, settings.threads, logits_all=True))
