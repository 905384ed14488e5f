"""Spelling does not depend on which other spell checkers a machine has: enchant's orderings (the
system's file puts aspell first for English, voikko for Finnish, …; a user's file can put any
provider first for any tag) change neither the languages listed nor the words flagged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("enchant", reason="libenchant-2 is not installed")

SAMPLES = {
    "en-US": "The colour of teh theatre",
    "en-GB": "The colour of teh theatre",
    "de-DE": "Wir haben ein neues Auto gekauft und sind sehr zufriden",
    "fr": "Nous avons visité le musée hier et il était magnifque",
    "he-IL": "שלום עולם",
}
# What each child reports: enchant's own listing (the control), and Dragoman's languages and flags.
REPORT = """
import json, enchant
from dragoman.services.spelling import dictionaries
samples = json.loads({samples!r})
raw = {{tag: p.name for tag, p in enchant.Broker().list_dicts()}}
d = dictionaries()
flags = {{}}
for code, text in samples.items():
    speller = d.speller(code)
    flags[code] = None if speller is None else [w for w in text.split() if not speller.check(w)]
print(json.dumps({{"raw": raw, "languages": sorted(d.languages), "flags": flags}}))
"""
PROVIDERS = ("aspell", "nuspell", "voikko", "hspell", "zemberek")


def _report(config: Path | None) -> dict:
    """Run REPORT in a fresh process whose enchant reads the user ordering in `config`."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("ENCHANT_CONFIG_DIR", "XDG_CONFIG_HOME")
    }
    if config is not None:
        env["ENCHANT_CONFIG_DIR"] = str(config)
    code = REPORT.format(samples=json.dumps(SAMPLES))
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out)


def _ordering(folder: Path, tags: list[str], first: list[str]) -> Path:
    """A user ordering file that puts `first` before everything else, for every tag and for *."""
    folder.mkdir(parents=True)
    order = ",".join([*first, *(p for p in (*PROVIDERS, "hunspell") if p not in first)])
    lines = [f"*:{order}", *(f"{tag}:{order}" for tag in tags)]
    (folder / "enchant.ordering").write_text("\n".join(lines) + "\n")
    return folder


def test_languages_and_words_are_the_same_whichever_provider_comes_first(tmp_path) -> None:
    plain = _report(None)
    tags = sorted(plain["raw"])
    others = _report(_ordering(tmp_path / "others", tags, list(PROVIDERS)))
    hunspell = _report(_ordering(tmp_path / "hunspell", tags, ["hunspell"]))
    # The control: another provider does take some tag when it comes first (make test installs
    # aspell-en), so the orderings below really differ.
    assert any(p != "hunspell" for p in others["raw"].values()), others["raw"]
    assert {"en-US", "en-GB", "de-DE", "fr"} <= set(hunspell["languages"])
    assert plain["languages"] == others["languages"] == hunspell["languages"]
    assert plain["flags"] == others["flags"] == hunspell["flags"]
    # Hunspell's own English variants, as Dragoman's spelling tests expect them.
    assert hunspell["flags"]["en-US"] == ["colour", "teh", "theatre"]
    assert hunspell["flags"]["en-GB"] == ["teh"]
    assert hunspell["flags"]["de-DE"] == ["zufriden"] and hunspell["flags"]["fr"] == ["magnifque"]
