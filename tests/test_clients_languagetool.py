"""Real LanguageTool clients, unchanged, against a Dragoman server on loopback (pseudo backend).

Neither client can send a key, so the server runs as their users run it: with
`open_languagetool` on a loopback address."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
import warnings
from collections import Counter
from pathlib import Path

import httpx
import pytest

from bench import lt_suite  # at import: it reads $DRAGOMAN_TEST_LT_SUITE before isolated_env
from dragoman.services.api.app import create_app
from dragoman.services.settings import Settings
from dragoman.services.spelling import dictionaries

TEXT = "I saw the the cat."


@pytest.fixture
def url(live_app, tmp_path) -> str:
    settings = Settings(
        backend="pseudo", data_dir=tmp_path / "data", warm_up=False, open_languagetool=True
    )
    return live_app(create_app(settings))


def flagged(text: str, matches) -> list[str]:
    return [text[m.offset : m.offset + m.error_length] for m in matches]


def test_language_tool_python_remote_server(url) -> None:
    import language_tool_python

    with language_tool_python.LanguageTool("en-US", remote_server=url) as tool:
        assert flagged(TEXT, tool.check(TEXT)) == ["the the"]
        assert tool.correct(TEXT) == "I saw the cat."
        # Empty and whitespace-only texts: no matches (it used to fail with KeyError: 'matches').
        assert tool.check("") == [] and tool.check("   \n ") == []
        rule = tool.check(TEXT)[0].rule_id
        tool.disabled_rules = {rule}
        assert tool.check(TEXT) == []


def test_language_tool_python_disable_spellchecking(url) -> None:
    import language_tool_python

    text = "I saw teh cat."
    with language_tool_python.LanguageTool("en-US", remote_server=url) as tool:
        assert "teh" in flagged(text, tool.check(text))
        tool.disable_spellchecking()
        assert "teh" not in flagged(text, tool.check(text))


def test_pylanguagetool_api_and_cli(url, tmp_path) -> None:
    with warnings.catch_warnings():  # its package imports the deprecated pkg_resources
        warnings.simplefilter("ignore", UserWarning)
        from pylanguagetool import api

    answer = api.check(TEXT, api_url=f"{url}/v2/", lang="en-US")
    assert [TEXT[m["offset"] : m["offset"] + m["length"]] for m in answer["matches"]] == ["the the"]
    assert api.check("", api_url=f"{url}/v2/", lang="en-US")["matches"] == []
    assert "en-US" in {language["longCode"] for language in api.get_languages(f"{url}/v2/")}
    page = tmp_path / "page.txt"
    page.write_text(TEXT + "\n", encoding="utf-8")
    command = [str(Path(sys.executable).parent / "pylanguagetool"), "--no-color"]
    done = subprocess.run(
        [*command, "-a", f"{url}/v2/", "-l", "en-US", str(page)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode in (0, 1), done.stderr  # it exits 1 when it found problems
    assert "the the" in done.stdout and f"Text checked by {url}/v2/" in done.stdout


GERMAN = "Ich schicke Ihnen morgen die Unterlagen für das Treffen mit dem Vorstnad."
FRENCH = "Je vous envoie demain les documents pour la réunion avec le consiel."


@pytest.mark.parametrize(
    ("language", "text", "wrong", "rule"),
    [
        ("de-DE", GERMAN, "Vorstnad", "GERMAN_SPELLER_RULE"),
        ("fr-FR", FRENCH, "consiel", "FR_SPELLING_RULE"),
        ("auto", FRENCH, "consiel", "FR_SPELLING_RULE"),
    ],
)
def test_language_tool_python_checks_german_and_french(url, language, text, wrong, rule) -> None:
    import language_tool_python

    with language_tool_python.LanguageTool(language, remote_server=url) as tool:
        (match,) = tool.check(text)
        assert text[match.offset : match.offset + match.error_length] == wrong
        assert match.rule_id == rule and match.replacements
        fixed = tool.correct(text)
        assert wrong not in fixed and fixed.replace(match.replacements[0], wrong) == text


def test_pylanguagetool_checks_german_and_french(url, tmp_path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        from pylanguagetool import api

    for language, text, wrong in [("de-DE", GERMAN, "Vorstnad"), ("fr", FRENCH, "consiel")]:
        answer = api.check(text, api_url=f"{url}/v2/", lang=language)
        assert [text[m["offset"] : m["offset"] + m["length"]] for m in answer["matches"]] == [wrong]
        assert answer["warnings"]["incompleteResults"] is False
    listed = {language["longCode"] for language in api.get_languages(f"{url}/v2/")}
    assert {"de-DE", "de-AT", "de-CH", "fr", "pt-BR", "pt-PT"} <= listed
    page = tmp_path / "brief.txt"
    page.write_text(GERMAN + "\n", encoding="utf-8")
    command = [str(Path(sys.executable).parent / "pylanguagetool"), "--no-color"]
    done = subprocess.run(
        [*command, "-a", f"{url}/v2/", "-l", "de-DE", str(page)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode in (0, 1), done.stderr
    assert "Vorstnad" in done.stdout and "Vorstand" in done.stdout


def test_ltex_style_requests(url) -> None:
    """A form labelled JSON carrying AnnotatedText, markup-only documents included."""
    headers = {"Content-Type": "application/json"}

    def check(annotation: list[dict[str, str]]) -> httpx.Response:
        data = json.dumps({"annotation": annotation})
        form = httpx.QueryParams({"data": data, "language": "en-US"})
        return httpx.post(f"{url}/v2/check", content=str(form), headers=headers)

    markup_only = check([{"markup": "\\begin{document}"}, {"markup": "\\end{document}"}])
    assert markup_only.status_code == 200 and markup_only.json()["matches"] == []
    document = [{"markup": "\\section{"}, {"text": TEXT}, {"markup": "}"}]
    matches = check(document).json()["matches"]
    assert [("\\section{" + TEXT)[m["offset"] : m["offset"] + m["length"]] for m in matches] == [
        "the the"
    ]


def test_language_tool_python_own_suite_fails_only_for_recorded_reasons() -> None:
    """Its own tests, run against Dragoman by bench/lt_suite.py: every failure has its reason."""
    if lt_suite.suite_folder() is None:
        pytest.skip(
            "language_tool_python's tests are not fetched (`make lt-suite-tests` needs GitHub)"
        )
    result = lt_suite.run()
    assert result["passed"] and result["unexplained"] == [] and result["passing_now"] == []


HUNSPELL = Path("/usr/share/hunspell")  # where Debian's dictionaries (make run's) live
# Emoji (a skin-tone modifier and a flag: sequences of astral characters) and astral CJK: each is
# two UTF-16 code units per code point, which LanguageTool clients count in.
ASTRAL = "👍🏽 🇩🇪 𠀀𠀁"


def _dictionary_words(tag: str) -> list[str]:
    """The stems of a Hunspell dictionary, decoded as its .aff says."""
    aff = (HUNSPELL / f"{tag}.aff").read_bytes()
    declared = re.search(rb"^\W*SET\s+(\S+)", aff, re.MULTILINE)
    encoding = declared.group(1).decode() if declared else "iso8859-1"
    try:
        text = (HUNSPELL / f"{tag}.dic").read_bytes().decode(encoding, "replace")
    except LookupError:  # microsoft-cp1251 and the like
        text = (HUNSPELL / f"{tag}.dic").read_bytes().decode(encoding.split("-")[-1], "replace")
    stems = (line.split("/")[0].strip().lstrip("\ufeff") for line in text.splitlines()[1:])
    return [w for w in stems if w and all(unicodedata.category(c)[0] in "LM" for c in w)]


def _sample(code: str, tag: str) -> tuple[str, str]:
    """A correct lowercase word of the language, with composed letters where it has any (they are
    sent decomposed), and a non-word of its two commonest letters."""
    speller = dictionaries().speller(code)
    words = [w for w in _dictionary_words(tag) if len(w) >= 5 and w == w.lower()]
    marked = [w for w in words if unicodedata.normalize("NFD", w) != w]
    middle = words[len(words) // 2 :]  # past rare words such as "aalii", which Harper lacks
    right = next(w for w in [*marked, *middle] if speller.check(w))
    letters = Counter(c for w in words[:5000] for c in w if unicodedata.category(c) in ("Ll", "Lo"))
    (a, _), (b, _) = letters.most_common(2)
    wrong = a * 3 + b * 3
    assert not speller.check(wrong), (code, wrong)
    return unicodedata.normalize("NFD", right), wrong


def test_offsets_after_astral_and_combining_characters_in_every_dictionary_language(url) -> None:
    import language_tool_python

    languages = dictionaries().languages
    assert len(languages) > 100  # what make run installs
    wrong_offsets = {}
    for code, language in sorted(languages.items()):
        right, wrong = _sample(code, language.tag)
        text = f"{ASTRAL} {right} {wrong} {ASTRAL}"
        with language_tool_python.LanguageTool(code, remote_server=url) as tool:
            found = flagged(text, tool.check(text))
        # The non-word is found, and whatever else is flagged is a whole word, not a piece
        # (Harper's English dictionary, smaller than Hunspell's, lacks "adiós").
        if wrong not in found or not set(found) <= {right, wrong}:
            wrong_offsets[code] = (text, found)
    assert wrong_offsets == {}
