"""Safe by default: the token, the Host allowlist, body limits and CORS."""

from __future__ import annotations

import stat

import pytest
from fastapi.testclient import TestClient

from dragoman.services.api.app import create_app
from dragoman.services.api.auth import load_or_create_token, token_path
from dragoman.services.settings import Settings
from tests.conftest import AUTH, TOKEN


def client(**settings) -> TestClient:
    config = {"backend": "pseudo", "warm_up": False, **settings}
    return TestClient(create_app(Settings(**config)), raise_server_exceptions=False)


BODY = {"q": "Hallo Welt", "source": "de", "target": "en"}


def test_every_endpoint_but_health_needs_the_token() -> None:
    c = client()
    assert c.get("/health").status_code == 200
    for method, path, kw in [
        ("post", "/v1/translate", {"json": BODY}),
        ("post", "/v1/translate/stream", {"json": BODY}),
        ("post", "/v1/proofread", {"json": {"text": "Hello."}}),
        ("get", "/v1/models", {}),
        ("get", "/v1/documents/x", {}),
    ]:
        response = getattr(c, method)(path, **kw)
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "unauthorized"
        wrong = getattr(c, method)(path, headers={"Authorization": "Bearer nope"}, **kw)
        assert wrong.status_code == 401, path
    assert c.post("/v1/translate", json=BODY, headers=AUTH).status_code == 200


def test_libretranslate_clients_send_api_key() -> None:
    c = client()
    assert c.post("/translate", json={**BODY, "api_key": TOKEN}).json() == {
        "translatedText": "[Ĥàĺĺö Ŵéĺţ]"
    }
    multipart = {k: (None, v) for k, v in {**BODY, "api_key": TOKEN}.items()}
    for kw in [
        {"data": {**BODY, "api_key": TOKEN}},
        {"files": multipart},
        {"params": {**BODY, "api_key": TOKEN}},  # deep-translator: all in the query, no body
        {"json": {**BODY, "apiKey": TOKEN}},  # the npm client's spelling
    ]:
        assert c.post("/translate", **kw).status_code == 200, kw
    # LibreTranslate's dialect: 403 and {"error": "message"} for a missing or wrong key.
    for kw in [{"data": {**BODY, "api_key": "nope"}}, {"json": BODY}]:
        response = c.post("/translate", **kw)
        assert response.status_code == 403 and "api_key" in response.json()["error"]


def test_metadata_is_open_and_languagetool_takes_its_api_key() -> None:
    c = client()
    for path in ["/languages", "/frontend/settings", "/v2/languages", "/v2/info"]:
        assert c.get(path).status_code == 200, path
    check = {"text": "I saw the the cat.", "language": "en-US"}
    # LanguageTool's dialect: a missing or wrong key is 403, and the error is plain text.
    refused = c.post("/v2/check", data=check)
    assert refused.status_code == 403 and refused.text.startswith("Error: ")
    assert c.post("/v2/check", data={**check, "apiKey": "nope"}).status_code == 403
    signed = {**check, "username": "me@example.org", "apiKey": TOKEN}
    assert c.post("/v2/check", data=signed).status_code == 200
    assert c.get("/v2/check", params=signed).status_code == 200


def test_web_page_takes_the_token_once_into_a_strict_cookie() -> None:
    c = client()
    assert c.get("/").status_code == 200  # the page itself holds no secret
    response = c.get(f"/?token={TOKEN}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert c.post("/v1/translate", json=BODY).status_code == 200  # the cookie now authorises


def test_languagetool_may_be_opened_only_on_loopback() -> None:
    check = {"text": "I saw the the cat.", "language": "en"}
    assert client().post("/v2/check", data=check).status_code == 403
    assert client(open_languagetool=True).post("/v2/check", data=check).status_code == 200
    lan = client(open_languagetool=True, host="0.0.0.0")
    assert lan.post("/v2/check", data=check).status_code == 403


def test_token_is_generated_once_and_private(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("DRAGOMAN_TOKEN")
    first = load_or_create_token(Settings())
    assert load_or_create_token(Settings()) == first and len(first) >= 32
    assert stat.S_IMODE(token_path().stat().st_mode) == 0o600
    assert load_or_create_token(Settings(token="mine")) == "mine"


def test_dragoman_token_prints_it(monkeypatch, capsys) -> None:
    from tests.test_cli import run_cli

    code, out, _ = run_cli(["token"], monkeypatch, capsys)
    assert code == 0 and out.strip() == TOKEN


@pytest.mark.parametrize("host", ["evil.example", "attacker.test:8787", "192.168.1.10"])
def test_foreign_host_headers_are_refused(host: str) -> None:
    response = client().post("/v1/translate", json=BODY, headers={**AUTH, "Host": host})
    assert response.status_code == 421 and response.json()["error"]["code"] == "host_not_allowed"


def test_allowed_host_names_can_be_added() -> None:
    c = client(allowed_hosts=["testserver", "dragoman.lan"])
    assert c.get("/health", headers={"Host": "dragoman.lan:8787"}).status_code == 200
    assert c.get("/health", headers={"Host": "localhost:8787"}).status_code == 200


def test_oversized_bodies_are_refused() -> None:
    c = client(max_body_bytes=2048)
    response = c.post("/v1/translate", json={**BODY, "q": "x" * 5000}, headers=AUTH)
    assert response.status_code == 413 and response.json()["error"]["code"] == "body_too_large"


def test_no_cors_unless_an_origin_is_configured() -> None:
    preflight = {"Origin": "https://forum.example", "Access-Control-Request-Method": "POST"}
    assert (
        "access-control-allow-origin"
        not in client().options("/v1/translate", headers=preflight).headers
    )
    assert (
        "access-control-allow-origin"
        not in client().get("/health", headers={"Origin": "https://x.example"}).headers
    )
    allowed = client(cors_origins=["https://forum.example"]).options(
        "/v1/translate", headers=preflight
    )
    assert allowed.headers["access-control-allow-origin"] == "https://forum.example"
