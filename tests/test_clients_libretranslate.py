"""Real LibreTranslate clients, unchanged, against a Dragoman server on loopback (pseudo backend).

Each client is used as its users use it: the server's URL and the token as its API key."""

from __future__ import annotations

import asyncio
import html
import json
import os
import shutil
import subprocess
import sys
import urllib.error
from pathlib import Path

import httpx
import polib
import pytest

from dragoman.services.api.app import create_app
from dragoman.services.llm.pseudo import pseudolocalize
from dragoman.services.settings import Settings
from tests.conftest import TOKEN

# Where `make install-test` puts the npm client (when npm is there); see the Makefile.
NPM_CLIENT = Path(__file__).parent.parent / "build" / "npm" / "node_modules" / "libretranslate"


@pytest.fixture
def url(live_app, tmp_path) -> str:
    settings = Settings(backend="pseudo", data_dir=tmp_path / "data", warm_up=False)
    return live_app(create_app(settings))


def test_libretranslatepy(url) -> None:
    from libretranslatepy import LibreTranslateAPI

    client = LibreTranslateAPI(url, TOKEN)
    assert client.translate("Hello %s, you have %d files", "en", "de") == pseudolocalize(
        "Hello %s, you have %d files"
    )
    assert client.detect("12345") == [{"confidence": 0.0, "language": "en"}]
    # The list is metadata: it comes without a key too.
    codes = {language["code"] for language in LibreTranslateAPI(url).languages()}
    assert {"en", "de", "zh-Hans", "zh-Hant", "pt-BR"} <= codes
    with pytest.raises(urllib.error.HTTPError) as refused:
        LibreTranslateAPI(url, "wrong").translate("Hello", "en", "de")
    assert refused.value.code == 403
    refused.value.close()  # urllib leaves the error's response open


def test_deep_translator_sends_everything_in_the_query(url) -> None:
    from deep_translator import LibreTranslator
    from deep_translator.exceptions import AuthorizationException

    translator = LibreTranslator(source="en", target="de", api_key=TOKEN, custom_url=url + "/")
    assert translator.translate("Hello world") == pseudolocalize("Hello world")
    assert translator.translate_batch(["One", "Two"]) == [pseudolocalize(t) for t in ["One", "Two"]]
    wrong = LibreTranslator(source="en", target="de", api_key="wrong", custom_url=url + "/")
    with pytest.raises(AuthorizationException):
        wrong.translate("Hello world")


def test_libretranslate_aio_every_endpoint(url, tmp_path) -> None:
    from libretranslate_aio import ForbiddenError, LibreTranslate

    with LibreTranslate(url, api_key=TOKEN) as client:
        assert client.health()
        assert "zh-Hant" in {language.code for language in client.languages()}
        settings = client.frontend_settings()
        assert settings.key_required and settings.char_limit > 0 and not settings.suggestions
        result = client.translate("Hello world", "auto", "de", alternatives=2)
        assert result.translated_text == pseudolocalize("Hello world")
        # The pseudo backend cannot sample: the list is there, and empty.
        assert result.alternatives == []
        assert client.detect("Das ist ein ganz normaler deutscher Satz.")[0].language == "de"
        with pytest.raises(ForbiddenError):
            client.suggest("Hello", "Hallo", "en", "de")
        page = tmp_path / "page.html"
        page.write_text("<p>Hello <b>world</b></p>", encoding="utf-8")
        translated = client.translate_file(page, "en", "de")
    # The file's URL is all a user needs to fetch it.
    download = httpx.get(translated.translated_file_url)
    # An all-ASCII part of a page declares no encoding: what is not ASCII comes back as character
    # references, which read right whatever encoding the page it goes into has.
    assert download.content.isascii()
    expected = f"<p>{pseudolocalize('Hello <b1>world</b1>').replace('b1', 'b')}</p>"
    assert html.unescape(download.text) == expected


def test_libretranslate_aio_async_client(url) -> None:
    from libretranslate_aio import AsyncLibreTranslate

    async def run() -> str:
        async with AsyncLibreTranslate(url, api_key=TOKEN) as client:
            return (await client.translate("Good morning", "en", "fr")).translated_text

    assert asyncio.run(run()) == pseudolocalize("Good morning")


def test_transpolibre_po_file_round_trip(url, tmp_path) -> None:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    sources = [
        "Hello %s!",
        "%(count)d files were deleted.",
        "Delete {count} items from {0}?",
        "See the `manual <https://example.org/manual>`_.",
    ]
    for msgid in sources:
        po.append(polib.POEntry(msgid=msgid, msgstr="", flags=["python-format"]))
    path = tmp_path / "de.po"
    po.save(str(path))
    command = [str(Path(sys.executable).parent / "transpolibre"), "-u", url, "-a", TOKEN]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LT_", "DRAGOMAN_"))}
    done = subprocess.run(
        [*command, "-s", "en", "-t", "de", "-f", str(path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    translated = {e.msgid: e.msgstr for e in polib.pofile(str(path))}
    assert translated[sources[0]] == pseudolocalize(sources[0])  # %s intact, not %š
    assert "%(count)d" in translated[sources[1]] and "{count}" in translated[sources[2]]
    assert translated[sources[3]].endswith(" <https://example.org/manual>`_.")
    listing = subprocess.run(
        [str(Path(sys.executable).parent / "transpolibre"), "-u", url, "-l"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Code: zh-Hant" in listing.stdout


# The npm client `libretranslate` 1.0.1: GET /languages with a JSON content type and no key,
# then POST /translate with the key as `apiKey` in a JSON body.
NPM_SCRIPT = """
const { translate } = require(process.argv[1]);
translate({ query: "Hello world", source: "en", target: "zh-Hant", apiurl: process.argv[2],
            apiKey: process.argv[3] }).then(t => console.log(JSON.stringify(t)));
"""


@pytest.mark.skipif(
    shutil.which("node") is None or not NPM_CLIENT.is_dir(),
    reason="node or the npm client is missing (make install-test installs it where npm is)",
)
def test_npm_libretranslate_client_with_node(url) -> None:
    done = subprocess.run(
        ["node", "-e", NPM_SCRIPT, str(NPM_CLIENT), url, TOKEN],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == pseudolocalize("Hello world")


def test_npm_libretranslate_clients_requests_replayed(url) -> None:
    headers = {"Content-Type": "application/json"}
    languages = httpx.get(f"{url}/languages", headers=headers)
    assert languages.status_code == 200 and "zh-Hant" in [x["code"] for x in languages.json()]
    body = {
        "q": "Hello world",
        "source": "en",
        "target": "zh-Hant",
        "format": "text",
        "apiKey": TOKEN,
    }
    answer = httpx.post(f"{url}/translate", content=json.dumps(body), headers=headers)
    assert answer.json() == {"translatedText": pseudolocalize("Hello world")}
