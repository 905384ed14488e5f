"""Proofreading over HTTP: Dragoman's endpoint and the LanguageTool-compatible facade."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from dragoman.services.api.app import create_app
from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from tests.conftest import AUTH
from tests.fakes import RecordingChatModel


def corrections(messages) -> str:
    lines = re.findall(r"^\[(\d+)\] (.*)$", str(messages[-1].content), re.M)
    fixed = {"test was": "test were", "go": "goes"}
    return json.dumps(
        {
            "sentences": [
                {
                    "id": int(n),
                    "original": s,
                    "corrected": re.sub(
                        r"test was|\w+", lambda m: fixed.get(m.group(), m.group()), s
                    ),
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
    runtime = Runtime(settings, model_factory=lambda *_: model)
    return TestClient(create_app(runtime=runtime), raise_server_exceptions=False, headers=AUTH)


def test_proofread_returns_grounded_issues(client) -> None:
    text = (
        "😀 The results of the test was good in the the office. The plan was approved by the board."
    )
    body = client.post("/v1/proofread", json={"text": text, "format": "text"}).json()
    found = {
        (i["rule"], i["rule_category"], i["source"], text[i["offset"] : i["offset"] + i["length"]])
        for i in body["issues"]
    }
    assert {
        ("MODEL_VERB_SVA", "GRAMMAR", "model", "was"),
        ("ENGLISH_WORD_REPEAT_RULE", "REDUNDANCY", "rules", "the the"),
        ("PASSIVE_VOICE_BY_AGENT", "PASSIVE_VOICE", "rules", "was approved"),
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
        ({"text": "Hallo.", "language": "tlh"}, 422, "unsupported_language"),
    ],
)
def test_proofread_bad_input(client, body, status, code) -> None:
    response = client.post("/v1/proofread", json=body)
    assert response.status_code == status and response.json()["error"]["code"] == code


def test_languagetool_check_counts_utf16_units_around_emoji(client) -> None:
    text = "😀😀 Hi! I saw the the cat 👍 and the results of the test was good."
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
            == {"ENGLISH_WORD_REPEAT_RULE": "the the", "MODEL_VERB_SVA": "was"}[match["rule"]["id"]]
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
    repeated = next(m for m in matches if m["rule"]["id"] == "ENGLISH_WORD_REPEAT_RULE")
    assert repeated["offset"] == 15 and repeated["length"] == 7  # each emoji is two UTF-16 units
    assert repeated["replacements"] == [{"value": "the"}]
    assert repeated["rule"]["category"] == {"id": "REDUNDANCY", "name": "Redundant Phrases"}
    assert repeated["rule"]["urls"] == [
        {"value": "https://community.languagetool.org/rule/show/ENGLISH_WORD_REPEAT_RULE?lang=en"}
    ]
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
            {"text": "The results of the test was good."},
            {"markup": "</p>"},
        ]
    }
    document = "<p>I saw <b>the the</b> cat.<br/>The results of the test was good.</p>"
    response = client.post("/v2/check", data={"data": json.dumps(data), "language": "auto"})
    spans = {
        m["rule"]["id"]: document[m["offset"] : m["offset"] + m["length"]]
        for m in response.json()["matches"]
    }
    assert spans == {"ENGLISH_WORD_REPEAT_RULE": "the the", "MODEL_VERB_SVA": "was"}


def test_languagetool_json_labelled_form_and_rule_filters(client) -> None:
    response = client.post(
        "/v2/check",
        content="text=I%20saw%20the%20the%20cat%2C%2C%20ok.&language=en&disabledRules=ENGLISH_WORD_REPEAT_RULE",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert [m["rule"]["id"] for m in response.json()["matches"]] == ["DOUBLE_PUNCTUATION"]


def test_languagetool_errors_answer_in_languagetools_dialect(client) -> None:
    response = client.post("/v2/check", data={"language": "en"})
    assert response.status_code == 400
    assert response.text == "Error: give the text to check in 'text' or 'data'"
    too_long = client.post("/v2/check", data={"text": "x " * 300, "language": "en"})
    assert too_long.status_code == 413 and too_long.text.startswith("Error: ")
    listed = client.get("/v2/languages").json()
    english = next(entry for entry in listed if entry["longCode"] == "en-US")
    assert english["name"] == "English (US)" and english["code"] == "en"
    assert "passive_voice" in english["checks"]
    german = next(entry for entry in listed if entry["longCode"] == "de-DE")
    assert german["checks"] == ["spelling"]  # passive voice stays English, as in LanguageTool


def test_languagetool_language_is_honest(client) -> None:
    german = "Ich habe gestern den Bericht gelesen und er war sehr gut geschrieben."
    body = client.post("/v2/check", data={"text": german, "language": "auto"}).json()
    assert body["language"]["code"] == "de-DE"
    assert body["language"]["detectedLanguage"]["code"] == "de-DE"
    assert body["matches"] == [] and body["warnings"] == {"incompleteResults": False}
    asked = client.post("/v2/check", data={"text": german, "language": "de-DE"}).json()
    assert asked["language"]["code"] == "de-DE" and asked["matches"] == []
    # A language without a dictionary is said to be unchecked, never checked as another.
    japanese = "昨日は報告書を読みましたが、とても良く書かれていました。"
    unchecked = client.post("/v2/check", data={"text": japanese, "language": "auto"}).json()
    assert unchecked["language"]["code"] == "ja" and unchecked["matches"] == []
    assert unchecked["warnings"]["incompleteResults"] is True
    assert "not checked: Japanese" in unchecked["warnings"]["message"]
    british = client.post("/v2/check", data={"text": "I saw the the colour.", "language": "en-GB"})
    answer = british.json()
    assert answer["language"]["name"] == "English (GB)" and answer["language"]["code"] == "en-GB"
    assert answer["warnings"] == {"incompleteResults": False}
    assert [m["rule"]["id"] for m in answer["matches"]] == ["ENGLISH_WORD_REPEAT_RULE"]
    assert answer["sentenceRanges"] == [[0, 21]]
    auto = client.post("/v2/check", data={"text": "I saw the the cat today.", "language": "auto"})
    assert auto.json()["language"]["code"] == "en-US"


def _rule_ids(client, **fields) -> set[str]:
    text = "I recieve the the letter. " + "This sentence goes on and on " * 12 + "."
    response = client.post("/v2/check", data={"text": text, "language": "en-US", **fields})
    assert response.status_code == 200, response.text
    return {m["rule"]["id"] for m in response.json()["matches"]}


def test_languagetool_rule_options_change_the_matches(client) -> None:
    default = _rule_ids(client)
    assert {"MORFOLOGIK_RULE_EN_US", "ENGLISH_WORD_REPEAT_RULE"} <= default
    assert "MORFOLOGIK_RULE_EN_US" not in _rule_ids(client, disabledCategories="TYPOS")
    assert "TOO_LONG_SENTENCE" in _rule_ids(client, level="picky") - default
    assert _rule_ids(client, enabledRules="ENGLISH_WORD_REPEAT_RULE", enabledOnly="true") == {
        "ENGLISH_WORD_REPEAT_RULE"
    }
    assert _rule_ids(client, enabledCategories="TYPOS", enabledOnly="true") == {
        "MORFOLOGIK_RULE_EN_US"
    }
    response = client.post("/v2/check", data={"text": "Hi.", "enabledOnly": "true"})
    assert response.status_code == 400 and "enabledOnly" in response.text


def test_the_same_rule_options_on_dragomans_endpoint(client) -> None:
    text = "I recieve the the letter."
    body = client.post(
        "/v1/proofread",
        json={"text": text, "disabled_categories": ["TYPOS"], "checks": ["grammar", "style"]},
    ).json()
    assert [i["rule"] for i in body["issues"]] == ["ENGLISH_WORD_REPEAT_RULE"]


def test_personal_dictionary_end_to_end(client, tmp_path) -> None:
    text = "Please zorbify the report."
    assert "MORFOLOGIK_RULE_EN_US" in _ids(client, text)
    assert client.post("/v2/words/add", data={"word": "zorbify"}).json() == {"added": True}
    assert client.post("/v2/words/add", data={"word": "zorbify"}).json() == {"added": False}
    assert client.get("/v2/words").json() == {"words": ["zorbify"]}
    assert "MORFOLOGIK_RULE_EN_US" not in _ids(client, text)
    # Another replica on the same database (here the data directory's SQLite) knows the word.
    replica = Runtime(Settings(backend="pseudo", data_dir=tmp_path, warm_up=False))
    assert replica.stores.dictionary.words() == ["zorbify"]
    assert client.post("/v2/words/delete", data={"word": "zorbify"}).json() == {"deleted": True}
    assert client.get("/v2/words").json() == {"words": []}
    assert "MORFOLOGIK_RULE_EN_US" in _ids(client, text)
    assert client.post("/v2/words/add", data={"word": "two words"}).status_code == 400


def _ids(client, text: str) -> set[str]:
    matches = client.post("/v2/check", data={"text": text, "language": "en-US"}).json()["matches"]
    return {m["rule"]["id"] for m in matches}


def test_an_older_versions_dictionary_file_is_moved_into_the_database(tmp_path) -> None:
    (tmp_path / "dictionary.txt").write_text("zorbify\nFrobnitz\nzorbify\n", encoding="utf-8")
    settings = Settings(backend="pseudo", data_dir=tmp_path, warm_up=False)
    with TestClient(create_app(runtime=Runtime(settings)), headers=AUTH) as client:
        assert client.get("/v2/words").json() == {"words": ["zorbify", "Frobnitz"]}
        assert "MORFOLOGIK_RULE_EN_US" not in _ids(client, "Please zorbify the report.")
    assert not (tmp_path / "dictionary.txt").exists()
    assert (tmp_path / "dictionary.txt.imported").is_file()


def test_configured_dictionary_words_are_not_misspellings(tmp_path) -> None:
    settings = Settings(backend="pseudo", data_dir=tmp_path, warm_up=False, dictionary=["Zorbify"])
    with TestClient(create_app(runtime=Runtime(settings)), headers=AUTH) as client:
        assert "MORFOLOGIK_RULE_EN_US" not in _ids(client, "Please zorbify the report.")
        assert client.get("/v2/words").json() == {"words": ["Zorbify"]}
        assert client.post("/v2/words/delete", data={"word": "Zorbify"}).json() == {
            "deleted": False
        }


def test_proofread_stream_sends_rule_issues_then_model_issues_then_done(client) -> None:
    text = "I saw the the cat.\n\nThe results of the test was good."
    with client.stream("POST", "/v1/proofread/stream", json={"text": text}) as response:
        assert response.status_code == 200
        lines = [json.loads(line) for line in response.iter_lines() if line]
    issues, done = lines[:-1], lines[-1]
    assert [(i["rule"], i["source"]) for i in issues] == [
        ("ENGLISH_WORD_REPEAT_RULE", "rules"),
        ("MODEL_VERB_SVA", "model"),
    ]
    assert all(text[i["offset"] : i["offset"] + i["length"]] == i["text"] for i in issues)
    assert done == {"done": True, "stats": {"sentences": 2, "dropped_ungrounded": 0}}
