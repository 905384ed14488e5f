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
from .embedded import open_llama

SCORER_CONTEXT = 256  # tokens; proofread sentences are at most 600 characters (~200 tokens)
# Tokens per llama.cpp batch, each with its logits: the buffers that hold them grow with it (a
# row is 1 MiB with Gemma 3's vocabulary). 16 costs 38 MB resident; 32 was 4% faster on CWEB
# sentences for 31 MB more, 8 was 25% slower.
SCORER_BATCH = 16


class LlamaScorer:
    """Log-probability gains of edited sentences over their original, from one llama.cpp model.

    It evaluates on a context of its own over the generator's model (one copy of the weights),
    keeping only each token's log-probability, never a whole row of logits.
    """

    def __init__(self, llama: Any, lock: threading.Lock) -> None:
        from llama_cpp import _internals, llama_context_params

        params = llama_context_params.from_buffer_copy(llama.context_params)
        params.n_ctx = SCORER_CONTEXT
        params.n_batch = params.n_ubatch = SCORER_BATCH
        params.n_seq_max = 1
        self._llama = llama  # keeps the model alive as long as this context
        self._context = _internals.LlamaContext(model=llama._model, params=params, verbose=False)
        self._batch = _internals.LlamaBatch(
            n_tokens=SCORER_BATCH, embd=0, n_seq_max=1, verbose=False
        )
        self._vocabulary = llama.n_vocab()
        self._lock = lock
        self._tokens: list[int] = []  # the tokens this context holds, in order
        self._picked: list[float] = []  # log P(token i+1 | tokens ≤ i)

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
        tokens = self._llama.tokenize(text.encode("utf-8"), add_bos=True, special=False)
        if len(tokens) > SCORER_CONTEXT or len(tokens) < 2:
            return None
        # Keep what the previous text left up to where this one differs (an edit's shared
        # prefix); the last shared token is evaluated again, since its row's logits now have
        # another token to predict and only the picked log-probabilities were kept.
        keep = max(_common(tokens[:-1], self._tokens) - 1, 0)
        self._context.kv_cache_seq_rm(0, keep, -1)
        del self._picked[keep:]
        del self._tokens[keep:]
        for start in range(keep, len(tokens) - 1, SCORER_BATCH):
            chunk = tokens[start : min(start + SCORER_BATCH, len(tokens) - 1)]
            self._batch.set_batch(chunk, n_past=start, logits_all=True)
            self._context.decode(self._batch)
            self._tokens.extend(chunk)
            for row in range(len(chunk)):
                following = tokens[start + row + 1]
                self._picked.append(_log_softmax_at(self._row(row), following))
        return sum(self._picked)

    def _row(self, row: int) -> np.ndarray:
        """The logits of the batch's `row`th token, read in place."""
        pointer = self._context.get_logits_ith(row)
        return np.ctypeslib.as_array(pointer, shape=(self._vocabulary,))


def _log_softmax_at(logits: np.ndarray, token: int) -> float:
    """log softmax(logits)[token], in float64 so that long sums stay exact."""
    top = float(logits.max())
    norm = top + float(np.log(np.exp(logits - top, dtype=np.float64).sum()))
    return float(logits[token]) - norm


def _common(*sequences: Any) -> int:
    """How many leading items all the sequences share."""
    n = 0
    for items in zip(*sequences, strict=False):
        if any(x != items[0] for x in items[1:]):
            break
        n += 1
    return n


def make_scorer(resolved: ResolvedModel, settings: Settings) -> LlamaScorer:
    """A scorer on the verifier's GGUF, sharing the model a generator of it already loaded."""
    return LlamaScorer(*open_llama(resolved, settings))
