"""Debian's Hunspell dictionaries through libenchant-2 (pyenchant): which languages proofreading
spells, and one speller per dictionary, loaded on first use and shared by every thread."""

from __future__ import annotations

import logging
import threading
import tomllib
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from dragoman.chains import UNSPACED_LANGUAGES, language_names, primary

log = logging.getLogger(__name__)
# Dictionaries that are word lists of a field, not of a language.
_SPECIALIST = ("med",)
# Dictionaries kept loaded at once (10–20 MB each; all of Debian's would take 1.2 GB): the
# least recently used one is let go first.
_LOADED = 12


@dataclass(frozen=True)
class SpellingLanguage:
    """A language variant with a dictionary: LanguageTool's long code (de-AT) and its tag."""

    code: str
    tag: str
    name: str


class LockedSpeller:
    """A Hunspell dictionary behind a lock: one Hunspell handle must not serve two threads."""

    def __init__(self, dictionary: Any, lock: threading.Lock) -> None:
        self._dictionary = dictionary
        self._lock = lock

    def check(self, word: str) -> bool:
        """Whether the dictionary knows `word`."""
        with self._lock:
            return bool(self._dictionary.check(word))

    def suggest(self, word: str) -> list[str]:
        """The dictionary's suggestions for `word`, best first."""
        with self._lock:
            return list(self._dictionary.suggest(word))


@cache
def _names() -> dict[str, dict[str, str]]:
    text = files(__package__).joinpath("spelling.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def display_name(code: str) -> str:
    """A language code's English name, with its region: de-AT → German (Austria)."""
    parts = code.split("-")
    language = _names()["languages"].get(parts[0]) or language_names().get(parts[0], parts[0])
    region = _names()["regions"].get(parts[-1]) if len(parts) > 1 else None
    return f"{language} ({region})" if region else language


class Dictionaries:
    """The Hunspell dictionaries installed on this machine, by LanguageTool language code."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._broker: Any = None
        self._spellers: OrderedDict[str, LockedSpeller] = OrderedDict()
        # One lock per tag for good: enchant hands a dictionary let go of and asked for again
        # back as the same native handle, which a thread may still be using under the old lock.
        self._handle_locks: dict[str, threading.Lock] = {}
        self.languages = self._installed()

    def _installed(self) -> dict[str, SpellingLanguage]:
        try:
            import enchant
        except ImportError as exc:  # libenchant-2 is missing: no language but English is spelled
            log.warning("no Hunspell dictionaries: %s (run `make run` to install them)", exc)
            return {}
        self._broker = enchant.Broker()
        # enchant lists each tag once, under the provider its orderings put first, and a tag's
        # own ordering beats "*": the system's file puts aspell first for en_US (and voikko for
        # fi, …). Hunspell first for every tag any provider has, then list again: the languages
        # and words are then the same whichever other spell checkers a machine has.
        self._broker.set_ordering("*", "hunspell")
        for tag, _ in self._broker.list_dicts():
            self._broker.set_ordering(tag, "hunspell")
        tags = sorted(
            tag
            for tag, provider in self._broker.list_dicts()
            if provider.name == "hunspell" and not any(s in tag for s in _SPECIALIST)
        )
        found = {}
        for tag in tags:
            # A tag enchant cannot ask for by name (sr_Latn_RS) would silently give another.
            if not self._broker.dict_exists(tag):
                continue
            code = tag.replace("_", "-")
            if primary(code) in UNSPACED_LANGUAGES:
                continue  # Thai, Lao: Hunspell needs words, and these scripts do not space them
            found[code] = SpellingLanguage(code, tag, display_name(code))
        return found

    def resolve(self, code: str) -> SpellingLanguage | None:
        """The dictionary for a language code: the variant itself (de-AT), else the language's
        own (fr), else the one of its home country (de → de-DE), else its first variant."""
        parts = code.replace("_", "-").split("-")
        wanted = "-".join([parts[0].lower(), *(p.upper() if len(p) == 2 else p for p in parts[1:])])
        language = primary(wanted)
        for candidate in (wanted, language, f"{language}-{language.upper()}"):
            if candidate in self.languages:
                return self.languages[candidate]
        variants = [c for c in self.languages if primary(c) == language]
        return self.languages[variants[0]] if variants else None

    @property
    def loaded(self) -> int:
        """How many dictionaries are in memory now."""
        return len(self._spellers)

    def speller(self, code: str) -> LockedSpeller | None:
        """The speller of a language code, loaded once; None without a dictionary for it."""
        found = self.resolve(code)
        if found is None:
            return None
        with self._lock:
            if found.tag not in self._spellers:
                lock = self._handle_locks.setdefault(found.tag, threading.Lock())
                handle = self._broker.request_dict(found.tag)
                self._spellers[found.tag] = LockedSpeller(handle, lock)
                while len(self._spellers) > _LOADED:
                    self._spellers.popitem(last=False)
            self._spellers.move_to_end(found.tag)
            return self._spellers[found.tag]


@cache
def dictionaries() -> Dictionaries:
    """This machine's dictionaries, found once per process."""
    return Dictionaries()
