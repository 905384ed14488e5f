"""The LanguageTool facade's protocol: GET and POST checks, empty texts, the metadata endpoints."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from dragoman.services.api.app import create_app
from dragoman.services.settings import Settings
from tests.conftest import AUTH


@pytest.fixture
def client(tmp_path) -> TestClient:
    settings = Settings(backend="pseudo", data_dir=tmp_path, warm_up=False, max_proofread_chars=500)
    return TestClient(create_app(settings), raise_server_exceptions=False, headers=AUTH)


def test_check_takes_query_parameters_as_well_as_a_form(client) -> None:
    text = {"text": "I saw the the cat.", "language": "en-US"}
    by_get = client.get("/v2/check", params=text)
    by_post = client.post("/v2/check", data=text)
    assert by_get.status_code == 200 and by_get.json()["matches"]
    assert by_get.json()["matches"] == by_post.json()["matches"]


@pytest.mark.parametrize(
    "fields",
    [
        {"text": ""},
        {"text": " \n\t "},
        {"data": json.dumps({"annotation": [{"markup": "<p>"}, {"markup": "</p>"}]})},
        {"data": json.dumps({"annotation": [{"markup": "<br/>", "interpretAs": "\n"}]})},
        {"data": json.dumps({"annotation": []})},
    ],
)
def test_empty_whitespace_and_markup_only_texts_have_no_matches(client, fields) -> None:
    response = client.post("/v2/check", data={**fields, "language": "en-US"})
    assert response.status_code == 200, response.text
    assert response.json()["matches"] == [] and response.json()["language"]["code"]


def test_info_endpoints_answer_like_languagetools_server(client) -> None:
    info = client.get("/v2/info", headers={"Authorization": ""}).json()
    assert info["software"]["version"] and info["software"]["buildDate"]
    length = client.get("/v2/maxtextlength", headers={"Authorization": ""})
    assert length.text == "500" and length.headers["content-type"].startswith("text/plain")
    config = client.get("/v2/configinfo", params={"language": "en-US"}).json()
    assert config["parameter"] == {"maxTextLength": 500} and isinstance(config["rules"], list)
    assert client.get("/v2/configinfo").status_code == 400


def test_too_long_text_is_refused_in_languagetools_words(client) -> None:
    """language_tool_python's suite matches this message word for word."""
    response = client.post("/v2/check", data={"text": "x" * 501, "language": "en-US"})
    assert response.status_code == 413
    assert response.text == (
        "Error: Your text exceeds the limit of 500 characters (it's 501 characters). "
        "Please submit a shorter text."
    )


def test_thousands_of_matches_in_one_long_sentence_carry_a_bounded_sentence(tmp_path) -> None:
    # Before #34, each match carried the whole sentence and its offset cost a copy of the text
    # before it: 100,000 characters of unknown words answered after 24 s with 8 GB at peak.
    text = "😀 Huas " * 2_500  # one sentence of 20,000 characters, astral characters throughout
    settings = Settings(backend="pseudo", data_dir=tmp_path, warm_up=False)
    client = TestClient(create_app(settings), headers=AUTH)
    answer = client.post("/v2/check", data={"text": text, "language": "de-DE"})
    assert answer.status_code == 200
    matches = answer.json()["matches"]
    assert len(matches) == 2_500
    units = text.encode("utf-16-le")
    for match in matches:
        flagged = units[2 * match["offset"] : 2 * (match["offset"] + match["length"])]
        assert flagged.decode("utf-16-le") == "Huas"
        assert "Huas" in match["sentence"] and len(match["sentence"]) <= 1_004
    assert answer.json()["sentenceRanges"] == [[0, len(units) // 2 - 1]]
