"""JSON may escape half a surrogate pair ("\\ud800"), which no encoder can write: every path that
reads a JSON body refuses it as malformed JSON, in its own API's dialect, and a whole pair passes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dragoman.services.api.app import create_app
from dragoman.services.settings import Settings
from tests.conftest import AUTH

LONE = [
    ("/v1/translate", {"q": "Hallo \ud800 Welt", "target": "en"}),
    ("/v1/translate", {"q": ["Gut", "Hallo \udfff"], "source": "de", "target": "en"}),
    ("/v1/translate/stream", {"q": "Hallo \ud800 Welt", "source": "de", "target": "en"}),
    ("/v1/proofread", {"text": "Hello \udfff world."}),
    ("/v1/proofread/stream", {"text": "Hello \ud800 world."}),
    ("/translate", {"q": "Hallo \ud800", "source": "de", "target": "en"}),
    ("/detect", {"q": "Hallo \ud800"}),
    ("/v2/check", {"text": "Hello \udbff world.", "language": "en-US"}),
    ("/v2/words/add", {"word": "Zorb\ud800"}),
    ("/v1/translate", {"q": "Hallo", "target": "en", "\ud800": 1}),  # in a key
]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(backend="pseudo", data_dir=tmp_path, warm_up=False)
    with TestClient(create_app(settings), headers=AUTH) as client:
        yield client


def _post(client, path: str, body: dict):
    raw = json.dumps(body)  # ensure_ascii: the surrogate travels as \ud800, as clients send it
    assert "\\ud" in raw
    return client.post(path, content=raw, headers={"content-type": "application/json"})


@pytest.mark.parametrize(("path", "body"), LONE, ids=[f"{p}-{n}" for n, (p, _) in enumerate(LONE)])
def test_half_a_surrogate_pair_is_refused_in_the_dialect_of_the_path(client, path, body) -> None:
    answer = _post(client, path, body)
    assert answer.status_code in {400, 422}, (answer.status_code, answer.text[:300])
    if path.startswith("/v1/"):
        error = answer.json()["error"]
        assert error["code"] == "invalid_request", error
        assert "surrogate" in error["message"]
    elif path.startswith("/v2/"):  # LanguageTool answers errors as plain text
        assert answer.headers["content-type"].startswith("text/plain")
        assert "surrogate" in answer.text
    else:  # LibreTranslate: {"error": "message"}
        assert "surrogate" in answer.json()["error"]


def test_a_whole_pair_escaped_is_an_ordinary_character(client) -> None:
    text = "I like it 😀. Thsi is fine."
    answer = _post(client, "/v1/proofread", {"text": text})
    assert answer.status_code == 200, answer.text
    flagged = [text[i["offset"] : i["offset"] + i["length"]] for i in answer.json()["issues"]]
    assert flagged == ["Thsi"], flagged


def test_malformed_json_is_named_as_such_not_as_a_field(client) -> None:
    answer = client.post(
        "/v1/translate",
        content=b'{"q": "Hallo", "target": ',
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["message"].startswith("the body is not valid JSON: "), answer.text


def test_every_path_that_takes_json_refuses_half_a_pair(client) -> None:
    # Every path OpenAPI lists with a JSON body, so a router added without the checked reader
    # (route_class=CheckedJsonRoute) cannot let a lone surrogate through unseen.
    paths = [
        path
        for path, operations in client.app.openapi()["paths"].items()
        if "application/json"
        in operations.get("post", {}).get("requestBody", {}).get("content", {})
    ]
    assert set(paths) >= {"/v1/translate", "/v1/proofread"}
    for path in paths:
        answer = _post(client, path, {"\ud800": 1})
        assert answer.status_code in {400, 422} and "surrogate" in answer.text, (path, answer.text)
