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
        # Keep the tokens already evaluated for the previous text (an edit's shared prefix).
        same = 0
        for a, b in zip(llama.input_ids[: llama.n_tokens], tokens[:-1], strict=False):
            if a != b:
                break
            same += 1
        same = max(same, 1)
        llama.n_tokens = min(llama.n_tokens, same)
        llama.eval(tokens[llama.n_tokens :])
        logits = np.asarray(llama.scores[: len(tokens) - 1], dtype=np.float64)
        top = logits.max(axis=1)
        norm = top + np.log(np.exp(logits - top[:, None]).sum(axis=1))
        picked = logits[np.arange(len(tokens) - 1), tokens[1:]]
        return float((picked - norm).sum())


def make_scorer(resolved: ResolvedModel, settings: Settings) -> LlamaScorer:
    """Load the verifier's GGUF in-process, keeping every position's logits."""
    path = prepare_gguf(resolved, settings)
    return LlamaScorer(*load_llama(path, SCORER_CONTEXT, settings.threads, logits_all=True))
