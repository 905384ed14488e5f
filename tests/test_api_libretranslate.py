"""The LibreTranslate facade behaves like LibreTranslate: parameters, codes, errors, extras."""

from __future__ import annotations

import itertools

from dragoman.chains import detect_language, normalize_code
from dragoman.chains.translate.prompting import few_shot_prefix
from tests.fakes import RecordingChatModel, segment_replier
from tests.test_api_translate import make_client

HELLO = {"q": "Guten Morgen, wie geht es dir heute?", "source": "de", "target": "en"}


def test_query_string_and_body_are_read_together_as_libretranslate_does(tmp_path) -> None:
    client, _ = make_client(tmp_path)
    # deep-translator sends everything in the query string with an empty body.
    assert client.post("/translate", params=HELLO).json() == {
        "translatedText": "GOOD MORNING, HOW GOES IT YOU TODAY?"
    }
    # A form's repeated q gives its first value (Werkzeug's MultiDict.get), and the query's
    # value wins over the form's, as with Flask's request.values.
    repeated = client.post("/translate", data={**HELLO, "q": ["Hallo Welt", "Tschüss"]}).json()
    assert repeated == {"translatedText": "HELLO WORLD"}
    query_first = client.post("/translate", params={"target": "en"}, data={**HELLO, "target": "fr"})
    assert query_first.json()["translatedText"] == "GOOD MORNING, HOW GOES IT YOU TODAY?"
    multipart = client.post("/translate", files={k: (None, v) for k, v in HELLO.items()})
    assert multipart.json()["translatedText"] == "GOOD MORNING, HOW GOES IT YOU TODAY?"


def test_bad_input_is_a_400_in_libretranslates_dialect(tmp_path) -> None:
    client, model = make_client(tmp_path, max_alternatives=2)
    for body, words in [
        ({"source": "de", "target": "en"}, "q"),
        ({**HELLO, "target": "xx"}, "unsupported language"),
        ({**HELLO, "format": "pdf"}, "format"),
        ({**HELLO, "alternatives": 3}, "alternatives parameter must be <= 2"),
        ({**HELLO, "q": ""}, "q is empty"),
    ]:
        response = client.post("/translate", json=body)
        assert response.status_code == 400, body
        assert set(response.json()) == {"error"} and words in response.json()["error"], body
    assert model.history == []


def test_languages_are_listed_and_read_by_libretranslates_codes(tmp_path) -> None:
    client, model = make_client(tmp_path)
    codes = {language["code"] for language in client.get("/languages").json()}
    assert {"zh-Hans", "zh-Hant", "pt-BR", "en"} <= codes and not {"zh", "zh-TW"} & codes
    for code, ours in [("zh-Hant", "zh-TW"), ("zt", "zh-TW"), ("zh-Hans", "zh"), ("pb", "pt-BR")]:
        assert normalize_code(code) == ours
    client.post("/translate", json={**HELLO, "target": "zh-Hant"})
    assert "to Traditional Chinese" in str(model.history[-1][0].content)


def test_traditional_chinese_answers_are_kept_and_its_examples_are_traditional(tmp_path) -> None:
    answer = "我明天會再試一次，謝謝你們的幫助與耐心。這個頁面真的很有用。"
    client, _ = make_client(
        tmp_path, model=RecordingChatModel(reply=segment_replier(lambda _: answer))
    )
    body = client.post("/translate", json={**HELLO, "target": "zh-Hant"}).json()
    # Detection only knows "zh": the answer must not be rejected as being in another language.
    assert body == {"translatedText": answer}
    prefix = few_shot_prefix("en", "zh-TW")
    assert "Traditional Chinese: 非常感謝。" in prefix and "感谢" not in prefix


def test_alternatives_are_sampled_variants_when_the_backend_can_sample(tmp_path) -> None:
    answers = itertools.cycle(["Good morning.", "Morning!", "Good morning.", "Hello there."])
    model = RecordingChatModel(reply=segment_replier(lambda _: next(answers)))
    client, _ = make_client(tmp_path, model=model)
    body = client.post("/translate", json={**HELLO, "q": "Guten Morgen.", "alternatives": 3}).json()
    # The first answer is the translation; the three sampled ones, without repeats, follow.
    assert body == {"translatedText": "Good morning.", "alternatives": ["Morning!", "Hello there."]}
    assert [o.get("temperature") for o in model.options[1:]] == [0.5, 0.5, 0.5]
    counter = itertools.count()
    model = RecordingChatModel(reply=segment_replier(lambda text: f"{text} {next(counter)}"))
    client, _ = make_client(tmp_path / "list", model=model)
    many = client.post("/translate", json={**HELLO, "q": ["Hallo.", "Tschüss."], "alternatives": 1})
    assert many.json()["alternatives"] == [["Hallo. 2"], ["Tschüss. 3"]]


def test_detection_is_honest_about_short_and_letterless_text(tmp_path) -> None:
    client, _ = make_client(tmp_path)
    assert client.post("/detect", data={"q": "12345"}).json() == [
        {"confidence": 0.0, "language": "en"}
    ]
    auto = client.post("/translate", json={"q": "12345", "source": "auto", "target": "de"}).json()
    assert auto["detectedLanguage"] == {"confidence": 0.0, "language": "en"}
    word = detect_language("Haus")[1]
    sentence = detect_language("Das ist ein ganz normaler deutscher Satz über das Wetter.")[1]
    assert word < 0.3 < 0.9 < sentence


def test_frontend_settings_report_the_real_limits(tmp_path) -> None:
    client, _ = make_client(tmp_path, max_chars=1234)
    settings = client.get("/frontend/settings", headers={"Authorization": ""}).json()
    assert settings["charLimit"] == 1234 and settings["keyRequired"] is True
    assert settings["suggestions"] is False and ".docx" in settings["supportedFilesFormat"]
    assert settings["language"]["source"]["code"] == "auto"


def test_suggest_is_refused_as_with_suggestions_off(tmp_path) -> None:
    client, _ = make_client(tmp_path)
    response = client.post(
        "/suggest", data={"q": "Hallo", "s": "Hi", "source": "de", "target": "en"}
    )
    assert response.status_code == 403
    assert response.json() == {"error": "Suggestions are disabled on this server."}


def test_translate_file_and_download(tmp_path) -> None:
    client, _ = make_client(tmp_path)
    page = b"<html><body><p>Guten Morgen, wie geht es dir heute?</p></body></html>"
    response = client.post(
        "/translate_file",
        data={"source": "de", "target": "en"},
        files={"file": ("post.html", page)},
    )
    assert response.status_code == 200, response.text
    url = response.json()["translatedFileUrl"]
    assert url.startswith("http://testserver/download_file/") and url.endswith(".post.html")
    download = client.get(url, headers={"Authorization": ""})  # the URL alone is the key
    assert "<p>GOOD MORNING, HOW GOES IT YOU TODAY?</p>" in download.text
    assert 'filename="post.html"' in download.headers["content-disposition"]
    bad = client.post("/translate_file", data={"target": "en"}, files={"file": ("a.pdf", b"%PDF")})
    assert bad.status_code == 400 and "cannot translate .pdf" in bad.json()["error"]
    for name in ["nope.txt", "..%2Fdata.txt", url.rsplit("/", 1)[1].replace(".post", ".other")]:
        assert client.get(f"/download_file/{name}").status_code == 404
