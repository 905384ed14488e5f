"""The personal dictionary: words never flagged as misspelled, from the config and /v2/words.

Words users add live in the shared database, so every replica behind one address knows them.
A `dictionary.txt` left in the data directory by an older version is read in once and renamed.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from dragoman.chains import InputError

from .db import Database
from .schema import words

log = logging.getLogger(__name__)


def _language(language: str) -> str:
    """The language a word is kept for: a primary code ("de-AT" → "de"), or "" for every one."""
    code = language.strip().replace("_", "-").split("-")[0].lower()
    return "" if code in ("", "auto") else code


def _word(word: str) -> str:
    """A word as LanguageTool takes it: one token, no white space."""
    word = word.strip()
    if not word or any(c.isspace() for c in word):
        raise InputError("a dictionary word must be one word, without spaces")
    return word


class Dictionary:
    """Words from the settings plus words users add, kept in the shared database."""

    def __init__(self, database: Database, configured: list[str], legacy: Path | None = None):
        self.database = database
        self.configured = [w.strip() for w in configured if w.strip()]
        self._legacy = legacy
        self._lock = threading.Lock()

    def words(self, language: str = "") -> list[str]:
        """Every word known in `language` (all words without one): configured ones first, then
        added ones in the order they came, each once."""
        self._import_legacy()
        query = select(words.c.word).order_by(words.c.created, words.c.word)
        if language := _language(language):
            query = query.where(words.c.language.in_(["", language]))
        with self.database.connect() as db:
            return list(dict.fromkeys(self.configured + list(db.scalars(query))))

    def known(self, language: str = "") -> frozenset[str]:
        """The words known in `language`, in lower case, for matching."""
        return frozenset(w.lower() for w in self.words(language))

    def by_language(self) -> dict[str, frozenset[str]]:
        """Every word in lower case, by the primary code it was added for ("": every language,
        configured words among them), in one query."""
        self._import_legacy()
        found: dict[str, set[str]] = {"": {w.lower() for w in self.configured}}
        with self.database.connect() as db:
            for word, language in db.execute(select(words.c.word, words.c.language)):
                found.setdefault(language, set()).add(word.lower())
        return {language: frozenset(known) for language, known in found.items()}

    def add(self, word: str, language: str = "") -> bool:
        """Add `word` for `language` (every language without one); tell whether it was new."""
        word = _word(word)
        if word in self.configured:
            return False
        self._import_legacy()
        row = {"word": word, "language": _language(language), "created": time.time()}
        try:
            with self.database.begin() as db:
                db.execute(insert(words).values(**row))
        except IntegrityError:  # there already, perhaps added by another replica just now
            return False
        return True

    def delete(self, word: str, language: str = "") -> bool:
        """Remove a word users added for `language`; tell whether it was there (configured
        words stay)."""
        word = _word(word)
        self._import_legacy()
        match = (words.c.word == word) & (words.c.language == _language(language))
        with self.database.begin() as db:
            return db.execute(delete(words).where(match)).rowcount == 1

    def _import_legacy(self) -> None:
        """Move the words of an older version's dictionary.txt into the database, once."""
        with self._lock:
            path = self._legacy
            if path is None:
                return
            if path.is_file():
                self._move_in(path)
            self._legacy = None  # only once it worked: a database that was away is asked again

    def _move_in(self, path: Path) -> None:
        """Insert the file's words that are not there yet, then rename the file."""
        found = [w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip()]
        with self.database.begin() as db:
            have = set(db.scalars(select(words.c.word).where(words.c.language == "")))
            fresh = [w for w in dict.fromkeys(found) if w not in have]
            if fresh:
                now = time.time()
                db.execute(
                    insert(words), [{"word": w, "created": now + n} for n, w in enumerate(fresh)]
                )
        path.rename(path.with_name(path.name + ".imported"))
        log.info("moved %d dictionary words from %s into the database", len(fresh), path)
