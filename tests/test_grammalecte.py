"""French grammar from Grammalecte, run as a separate process (Debian's grammalecte-server):
through the LanguageTool facade with the real client, with exact offsets, started again when
it dies, and French still spelled without it."""

from __future__ import annotations

import os
import shutil
import signal

import pytest

from dragoman.services.api.app import create_app
from dragoman.services.grammalecte import grammalecte_server
from dragoman.services.settings import Settings

# One error each of agreement, past participle, a/à confusion and subjunctive.
TEXT = (
    "Bonjour Marie,\n\nLes enfant sont partis à la plage hier. Il a manger une pomme et ces "
    "livres sont a moi.\nJe voudrais que tu viens demain.\n"
)
ERRORS = {"enfant": "enfants", "manger": "mangé", "a": "à", "viens": "viennes"}
CLEAN = "Nous sommes arrivés hier soir et nous avons dîné ensemble. Le repas était très bon."

pytestmark = pytest.mark.skipif(
    shutil.which("grammalecte-server") is None, reason="Grammalecte is not installed (make install)"
)


@pytest.fixture
def url(live_app, tmp_path) -> str:
    settings = Settings(
        backend="pseudo", data_dir=tmp_path / "data", warm_up=False, open_languagetool=True
    )
    return live_app(create_app(settings))


def test_french_grammar_errors_through_the_real_client(url) -> None:
    # Before #36 French got spelling only: 0 of these 4 were flagged.
    import language_tool_python

    with language_tool_python.LanguageTool("fr", remote_server=url) as tool:
        matches = tool.check(TEXT)
    found = {TEXT[m.offset : m.offset + m.error_length]: m for m in matches}
    assert set(found) == set(ERRORS), sorted(found)
    for word, fix in ERRORS.items():
        assert found[word].replacements[0] == fix and found[word].rule_id.startswith("FR_")
    assert found["enfant"].offset == TEXT.index("enfant")


def test_a_correct_text_is_not_flagged_and_typography_only_when_picky(url) -> None:
    import httpx

    answer = httpx.post(f"{url}/v2/check", data={"text": CLEAN, "language": "fr"}).json()
    assert answer["matches"] == []
    text = "L'homme est arrivé. C'est très bon !"
    picky = httpx.post(f"{url}/v2/check", data={"text": text, "language": "fr", "level": "picky"})
    categories = {m["rule"]["category"]["id"] for m in picky.json()["matches"]}
    assert categories == {"TYPOGRAPHY"}


def test_offsets_after_emoji_and_windows_line_ends_are_exact(url) -> None:
    import httpx

    text = "😀 Salut à tous.\r\nLes enfant sont là.\r\n"
    answer = httpx.post(f"{url}/v2/check", data={"text": text, "language": "fr"}).json()
    (match,) = answer["matches"]
    utf16 = len(text[: text.index("enfant")].encode("utf-16-le")) // 2  # LanguageTool's unit
    assert (match["offset"], match["length"]) == (utf16, len("enfant"))


def test_a_server_that_died_is_started_again() -> None:
    server = grammalecte_server("grammalecte-server", 60.0)
    assert server.check("Les enfant sont là.") is not None
    assert server._process is not None
    os.killpg(server._process.pid, signal.SIGKILL)
    server._process.wait()
    answer = server.check("Les enfant sont là.")
    assert answer is not None and answer["data"][0]["lGrammarErrors"]


def test_without_grammalecte_french_is_still_spelled(live_app, tmp_path) -> None:
    import httpx

    settings = Settings(
        backend="pseudo", data_dir=tmp_path, warm_up=False, open_languagetool=True, grammalecte=""
    )
    url = live_app(create_app(settings))
    text = "Les enfant sont partis à la plaje."
    matches = httpx.post(f"{url}/v2/check", data={"text": text, "language": "fr"}).json()["matches"]
    assert [text[m["offset"] : m["offset"] + m["length"]] for m in matches] == ["plaje"]


def test_a_word_of_the_personal_dictionary_is_never_flagged(url) -> None:
    import httpx

    text = "Les enfant sont partis à la plage hier."
    added = httpx.post(f"{url}/v2/words/add", data={"word": "enfant", "language": "fr"})
    assert added.status_code == 200, added.text
    answer = httpx.post(f"{url}/v2/check", data={"text": text, "language": "fr"}).json()
    assert answer["matches"] == []


def test_a_checker_that_cannot_run_is_said_not_hidden(live_app, tmp_path) -> None:
    import httpx

    settings = Settings(
        backend="pseudo", data_dir=tmp_path, warm_up=False, open_languagetool=True,
        grammalecte="no-such-grammalecte-server",
    )  # fmt: skip
    url = live_app(create_app(settings))
    text = "Les enfant sont partis à la plaje."
    answer = httpx.post(f"{url}/v2/check", data={"text": text, "language": "fr"}).json()
    flagged = [text[m["offset"] : m["offset"] + m["length"]] for m in answer["matches"]]
    assert flagged == ["plaje"]  # spelling still runs
    assert answer["warnings"]["incompleteResults"] is True
    assert "grammar not checked: French" in answer["warnings"]["message"]
