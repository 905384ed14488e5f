"""The shared database and what lives in it: memory, dictionary, jobs."""

from __future__ import annotations

from ..settings import Settings
from .db import Database, database_url
from .dictionary import Dictionary
from .memory import TranslationMemory


class Stores:
    """What a running Dragoman keeps: one database (opened on first use) holding the translation
    memory, the personal dictionary and the document jobs."""

    def __init__(self, settings: Settings) -> None:
        self.database = Database(database_url(settings))
        self.memory = TranslationMemory(self.database) if settings.memory else None
        self.dictionary = Dictionary(
            self.database, settings.dictionary, legacy=settings.data_dir / "dictionary.txt"
        )
