"""The personal dictionary: words never flagged as misspelled, from the config and /v2/words."""

from __future__ import annotations

import threading
from pathlib import Path

from dragoman.chains import InputError

from .files import write_atomically


def _word(word: str) -> str:
    """A word as LanguageTool takes it: one token, no white space."""
    word = word.strip()
    if not word or any(c.isspace() for c in word):
        raise InputError("a dictionary word must be one word, without spaces")
    return word


class Dictionary:
    """Words from the settings plus words users add, kept in one file in the data directory."""

    def __init__(self, path: Path, configured: list[str]) -> None:
        self.path = path
        self.configured = [w.strip() for w in configured if w.strip()]
        self._lock = threading.Lock()

    def _stored(self) -> list[str]:
        if not self.path.is_file():
            return []
        return [w for w in self.path.read_text(encoding="utf-8").splitlines() if w.strip()]

    def words(self) -> list[str]:
        """Every word, configured ones first, each once."""
        return list(dict.fromkeys(self.configured + self._stored()))

    def known(self) -> frozenset[str]:
        """The words in lower case, for matching."""
        return frozenset(w.lower() for w in self.words())

    def add(self, word: str) -> bool:
        """Add `word`; tell whether it was new."""
        word = _word(word)
        with self._lock:
            stored = self._stored()
            if word in stored or word in self.configured:
                return False
            write_atomically(self.path, "\n".join([*stored, word, ""]).encode("utf-8"))
            return True

    def delete(self, word: str) -> bool:
        """Remove a word users added; tell whether it was there (configured words stay)."""
        word = _word(word)
        with self._lock:
            stored = self._stored()
            if word not in stored:
                return False
            kept = [w for w in stored if w != word]
            write_atomically(self.path, "".join(f"{w}\n" for w in kept).encode("utf-8"))
            return True
