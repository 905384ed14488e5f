"""Importing a translation memory exchange file (TMX 1.4, as CAT tools export them) into the
translation memory: human translations that are used as they are where a segment is the same,
and shown to the model as examples where it is close."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from lxml import etree

from dragoman.chains import DtdForbidden, InputError, UnsupportedLanguage, normalize_code, primary
from dragoman.chains.markup import declares_own_dtd
from dragoman.chains.translate import Origin, imported_key, normalize

from .stores.memory import TranslationMemory

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Inline codes of the original format (tags, placeholders): not words of the segment.
_CODES = {"bpt", "ept", "ph", "it", "ut"}
_BATCH = 1000


def _language(code: str) -> str | None:
    try:
        return normalize_code(code)
    except UnsupportedLanguage:
        return None


def _segment(seg: Any) -> str:
    """A <seg>'s words: its text and <hi> runs, without the inline codes of the original."""
    parts = [seg.text or ""]
    for child in seg:
        if child.tag not in _CODES:
            parts.append(_segment(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _variant(unit: Any, language: str) -> str | None:
    """The unit's segment in `language`: the same code first, else the same primary language."""
    found: dict[str, str] = {}
    for tuv in unit.iter("tuv"):
        code = _language(tuv.get(_XML_LANG) or tuv.get("lang") or "")
        seg = tuv.find("seg")
        if code is not None and seg is not None:
            found.setdefault(code, normalize(_segment(seg)))
    if language in found:
        return found[language] or None
    same = [text for code, text in found.items() if primary(code) == primary(language)]
    return same[0] if same and same[0] else None


def read_tmx(file: IO[bytes], source: str, target: str) -> Iterator[tuple[str, str]]:
    """(source, translation) of each unit that has both languages, streamed from the file."""
    events = etree.iterparse(
        file,
        events=("end",),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
    )
    try:
        for _, element in events:
            if element.tag != "tu":
                continue
            pair = _variant(element, source), _variant(element, target)
            # Streamed: units already read are dropped, so a large file takes little memory.
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del element.getparent()[0]
            if pair[0] and pair[1]:
                yield pair[0], pair[1]
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not a readable TMX file: {exc}") from exc


def import_tmx(memory: TranslationMemory, path: Path, source: str, target: str) -> int:
    """Store the file's units for the pair in the memory; returns how many were stored."""
    source, target = normalize_code(source), normalize_code(target)
    if declares_own_dtd(lambda: path.open("rb")):
        raise DtdForbidden(
            f"{path.name} declares a document type of its own (<!DOCTYPE … [ … ]>): "
            "Dragoman reads no DTD and expands no entities"
        )
    with path.open("rb") as file:
        return remember_translations(memory, read_tmx(file, source, target), source, target)


def remember_translations(
    memory: TranslationMemory, pairs: Iterable[tuple[str, str]], source: str, target: str
) -> int:
    """Store a person's translations (source, translation) of a language pair, in batches;
    returns how many were stored."""
    stored = 0
    batch: dict[str, tuple[str, str]] = {}
    for text, translation in pairs:
        text = normalize(text)
        batch[imported_key(text, source, target)] = (text, translation)
        if len(batch) >= _BATCH:
            stored += _store(memory, batch, source, target)
            batch = {}
    return stored + _store(memory, batch, source, target)


def _store(
    memory: TranslationMemory, batch: dict[str, tuple[str, str]], source: str, target: str
) -> int:
    if batch:
        memory.put_many(
            {key: translation for key, (_, translation) in batch.items()},
            {key: Origin(text, source, target) for key, (text, _) in batch.items()},
        )
    return len(batch)
