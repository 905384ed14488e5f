"""Translation over HTTP: Dragoman's API, its NDJSON stream, and the LibreTranslate facade."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from dragoman.services.api.app import create_app
from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from tests.conftest import AUTH
from tests.fakes import RecordingChatModel, echo_chat_model, segment_replier, to_english

POST = (
    '<div class="post"><p>Ich habe das gleiche Problem mit meinem <a href="https://example.org/t/1" '
    'title="Zum Thema">Laptop</a>, seit dem Update.</p><p>Hast du <code>sudo reboot</code> versucht?</p></div>'
)


def upper(text: str) -> str:
    """Upper-case the words, keeping placeholders such as <a1> and <x2/> as they are."""
    return re.sub(r"(</?[a-z]\d+/?>)|([^<]+|<)", lambda m: m.group(1) or m.group(2).upper(), text)


def make_client(tmp_path, model=None, **settings) -> tuple[TestClient, RecordingChatModel]:
    model = model or RecordingChatModel(reply=segment_replier(to_english))
    config = Settings(backend="llama-server", data_dir=tmp_path / "data", warm_up=False, **settings)
    runtime = Runtime(config, model_factory=lambda *_: model)
    return TestClient(
        create_app(runtime=runtime), raise_server_exceptions=False, headers=AUTH
    ), model


def test_translate_html_keeps_markup(tmp_path) -> None:
    client, model = make_client(tmp_path)
    response = client.post(
        "/v1/translate", json={"q": POST, "source": "de", "target": "en", "format": "html"}
    )
    assert response.status_code == 200, response.text
    (item,) = response.json()["translations"]
    assert item["status"] == "ok" and item["detected_source"] == "de"
    assert '<a href="https://example.org/t/1" title="ON THE TOPIC">LAPTOP</a>' in item["text"]
    assert "<code>sudo reboot</code>" in item["text"]
    assert "I HAVE THE SAME PROBLEM WITH MY" in item["text"]
    # Three segments (two paragraphs and a title) went out in one batch request.
    assert len(model.history) == 1


def test_list_items_come_back_in_order_with_detected_languages(tmp_path) -> None:
    client, _ = make_client(tmp_path)
    q = [
        "Das ist ein ganz normaler deutscher Satz.",
        "C'est une phrase française tout à fait normale.",
    ]
    body = client.post("/v1/translate", json={"q": q, "target": "en"}).json()
    assert [t["detected_source"] for t in body["translations"]] == ["de", "fr"]
    assert body["translations"][0]["text"] == "THE IS A QUITE NORMAL GERMAN SENTENCE."
    assert body["model"] == "gemma2-2b"


def test_second_identical_request_is_served_from_memory(tmp_path) -> None:
    client, model = make_client(tmp_path)
    body = {"q": POST, "source": "de", "target": "en", "format": "html"}
    first = client.post("/v1/translate", json=body).json()
    calls = len(model.history)
    second = client.post("/v1/translate", json=body).json()
    assert len(model.history) == calls
    assert second == first


def test_markdown_format(tmp_path) -> None:
    client, _ = make_client(tmp_path)
    text = "# Titel\n\nSiehe [die Doku](https://example.org/doku) und `make test`.\n"
    body = client.post(
        "/v1/translate", json={"q": text, "source": "de", "target": "en", "format": "markdown"}
    )
    assert (
        body.json()["translations"][0]["text"]
        == "# TITLE\n\nSEE [THE DOCS](https://example.org/doku) AND `make test`.\n"
    )


def test_stream_sends_a_line_per_item_then_done(tmp_path) -> None:
    client, _ = make_client(tmp_path)
    q = ["Erster Beitrag im Forum.", "", "Zweiter Beitrag im Forum."]
    with client.stream(
        "POST", "/v1/translate/stream", json={"q": q, "source": "de", "target": "en"}
    ) as response:
        assert response.headers["content-type"].startswith("application/x-ndjson")
        lines = [json.loads(line) for line in response.iter_lines() if line]
    assert [line.get("index") for line in lines[:3]] == [0, 1, 2]
    assert lines[0]["text"] == "FIRST POST IN THE FORUM." and lines[0]["status"] == "ok"
    assert lines[1]["text"] == ""
    assert lines[-1]["done"] is True and lines[-1]["count"] == 3


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"q": "", "target": "en"}, 422, "invalid_input"),
        ({"q": [], "target": "en"}, 422, "invalid_input"),
        ({"q": "Hallo", "target": "xx"}, 422, "unsupported_language"),
        ({"q": "Hallo", "source": "klingon", "target": "en"}, 422, "unsupported_language"),
        ({"q": "Hallo"}, 422, "invalid_request"),
        ({"q": "Hallo", "target": "en", "format": "pdf"}, 422, "invalid_request"),
        ({"q": ["a"] * 3, "target": "en"}, 413, "input_too_large"),
    ],
)
def test_bad_input_is_a_clear_json_error(tmp_path, body, status, code) -> None:
    client, model = make_client(tmp_path, max_items=2)
    response = client.post("/v1/translate", json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert model.history == []


def test_libretranslate_json_string_and_list(tmp_path) -> None:
    client, _ = make_client(tmp_path)
    one = client.post(
        "/translate",
        json={"q": "Guten Morgen, wie geht es dir heute?", "source": "auto", "target": "en"},
    )
    assert one.json()["translatedText"] == "GOOD MORNING, HOW GOES IT YOU TODAY?"
    assert one.json()["detectedLanguage"]["language"] == "de"
    assert 0 < one.json()["detectedLanguage"]["confidence"] <= 100
    many = client.post(
        "/translate", json={"q": ["Hallo Welt", "Tschüss"], "source": "de", "target": "en"}
    )
    assert many.json() == {"translatedText": ["HELLO WORLD", "BYE"]}


def test_libretranslate_form_body_and_html(tmp_path) -> None:
    client, _ = make_client(tmp_path)
    response = client.post(
        "/translate",
        data={"q": POST, "source": "de", "target": "en", "format": "html", "api_key": "x"},
    )
    assert response.status_code == 200, response.text
    assert '<a href="https://example.org/t/1"' in response.json()["translatedText"]


def test_libretranslate_languages_and_detect(tmp_path) -> None:
    client, _ = make_client(tmp_path)
    languages = client.get("/languages").json()
    german = next(lang for lang in languages if lang["code"] == "de")
    assert (
        german["name"] == "German" and "en" in german["targets"] and "de" not in german["targets"]
    )
    detected = client.post("/detect", data={"q": "Das ist ein deutscher Satz."}).json()
    assert detected[0]["language"] == "de" and detected[0]["confidence"] > 50
    empty = client.post("/detect", data={"q": " "})
    assert empty.status_code == 400 and empty.json() == {
        "error": "Invalid request: missing q parameter"
    }


def test_echo_model_changes_nothing(tmp_path) -> None:
    client, _ = make_client(tmp_path, model=echo_chat_model(), memory=False)
    body = client.post(
        "/v1/translate", json={"q": POST, "source": "de", "target": "en", "format": "html"}
    ).json()
    assert body["translations"][0]["text"] == POST
