"""Proofreading over HTTP: Dragoman's endpoint and the LanguageTool-compatible facade."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from dragoman.services.app import create_app
from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from tests.conftest import AUTH
from tests.fakes import RecordingChatModel


def corrections(messages) -> str:
    lines = re.findall(r"^\[(\d+)\] (.*)$", str(messages[-1].content), re.M)
    fixed = {"go": "goes", "has": "have"}
    return json.dumps(
        {
            "sentences": [
                {
                    "id": int(n),
                    "original": s,
                    "corrected": re.sub(r"\w+", lambda m: fixed.get(m.group(), m.group()), s),
                }
                for n, s in lines
            ]
        }
    )


@pytest.fixture
def client(tmp_path) -> TestClient:
    model = RecordingChatModel(reply=corrections)
    settings = Settings(
        backend="llama-server", data_dir=tmp_path, warm_up=False, max_proofread_chars=500
    )
    runtime = Runtime(settings, model_factory=lambda resolved, settings, recorder: model)
    return TestClient(create_app(runtime=runtime), raise_server_exceptions=False, headers=AUTH)


def test_proofread_returns_grounded_issues(client) -> None:
    text = "😀 She go to the the office. The plan was approved by the board."
    body = client.post("/v1/proofread", json={"text": text, "format": "text"}).json()
    found = {(i["rule"], text[i["offset"] : i["offset"] + i["length"]]) for i in body["issues"]}
    assert {
        ("LLM_GRAMMAR", "go"),
        ("REPEATED_WORD", "the the"),
        ("PASSIVE_VOICE_BY_AGENT", "was approved"),
    } <= found
    assert body["stats"] == {"sentences": 2, "dropped_ungrounded": 0}
    assert body["model"] == "mistral-nemo"
    assert all(
        i["sentence"] and i["text"] == text[i["offset"] : i["offset"] + i["length"]]
        for i in body["issues"]
    )


def test_proofread_only_the_checks_asked_for(client) -> None:
    body = client.post(
        "/v1/proofread",
        json={"text": "The plan was approved. I saw the the cat.", "checks": ["style"]},
    ).json()
    assert [i["category"] for i in body["issues"]] == ["style"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": "  "}, 422, "invalid_input"),
        ({"text": "x" * 501}, 413, "input_too_large"),
        ({"text": "Hello.", "format": "pdf"}, 422, "invalid_request"),
        ({"text": "Hello.", "checks": ["spelling"]}, 422, "invalid_request"),
        ({"text": "Hallo.", "language": "de"}, 422, "unsupported_language"),
    ],
)
def test_proofread_bad_input(client, body, status, code) -> None:
    response = client.post("/v1/proofread", json=body)
    assert response.status_code == status and response.json()["error"]["code"] == code


def test_languagetool_check_counts_utf16_units_around_emoji(client) -> None:
    text = "😀😀 Hi! I saw the the cat 👍 and she go home."
    response = client.post("/v2/check", data={"text": text, "language": "en-US"})
    assert response.status_code == 200, response.text
    matches = response.json()["matches"]
    utf16 = text.encode("utf-16-le")
    for match in matches:
        flagged = utf16[2 * match["offset"] : 2 * (match["offset"] + match["length"])].decode(
            "utf-16-le"
        )
        assert (
            flagged
            == {"ENGLISH_REPEAT": "", "REPEATED_WORD": "the the", "LLM_GRAMMAR": "go"}[
                match["rule"]["id"]
            ]
        )
        context = match["context"]
        assert (
            context["text"]
            .encode("utf-16-le")[
                2 * context["offset"] : 2 * (context["offset"] + context["length"])
            ]
            .decode("utf-16-le")
            == flagged
        )
    repeated = next(m for m in matches if m["rule"]["id"] == "REPEATED_WORD")
    assert repeated["offset"] == 15 and repeated["length"] == 7  # each emoji is two UTF-16 units
    assert repeated["replacements"] == [{"value": "the"}]
    assert repeated["rule"]["category"] == {"id": "TYPOGRAPHY", "name": "Typography"}
    assert set(repeated) >= {"message", "shortMessage", "sentence", "type", "context"}


def test_languagetool_annotated_text_offsets_are_the_documents(client) -> None:
    data = {
        "annotation": [
            {"markup": "<p>"},
            {"text": "I saw "},
            {"markup": "<b>"},
            {"text": "the the"},
            {"markup": "</b>"},
            {"text": " cat."},
            {"markup": "<br/>", "interpretAs": "\n"},
            {"text": "She go home."},
            {"markup": "</p>"},
        ]
    }
    document = "<p>I saw <b>the the</b> cat.<br/>She go home.</p>"
    response = client.post("/v2/check", data={"data": json.dumps(data), "language": "auto"})
    spans = {
        m["rule"]["id"]: document[m["offset"] : m["offset"] + m["length"]]
        for m in response.json()["matches"]
    }
    assert spans == {"REPEATED_WORD": "the the", "LLM_GRAMMAR": "go"}


def test_languagetool_json_labelled_form_and_rule_filters(client) -> None:
    response = client.post(
        "/v2/check",
        content="text=I%20saw%20the%20the%20cat%2C%2C%20ok.&language=en&disabledRules=REPEATED_WORD",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert [m["rule"]["id"] for m in response.json()["matches"]] == ["DOUBLE_PUNCTUATION"]


def test_languagetool_errors_and_languages(client) -> None:
    assert client.post("/v2/check", data={"language": "en"}).status_code == 422
    assert (
        client.post("/v2/check", data={"text": "Hallo", "language": "de-DE"}).json()["error"][
            "code"
        ]
        == "unsupported_language"
    )
    assert {"name": "English (US)", "code": "en", "longCode": "en-US"} in client.get(
        "/v2/languages"
    ).json()
