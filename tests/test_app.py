"""The HTTP skeleton: health, models, translation on injected models, and JSON errors."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pydantic import SecretStr

from dragoman.services.api.app import create_app
from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from tests.conftest import AUTH
from tests.fakes import FakeOpenAIServer, free_port


def client_for(settings: Settings, model=None) -> TestClient:
    factory = (lambda *_: model) if model else None
    runtime = Runtime(settings, model_factory=factory) if factory else Runtime(settings)
    return TestClient(create_app(runtime=runtime), raise_server_exceptions=False, headers=AUTH)


def test_health_reports_each_task_backend(pseudo_settings: Settings) -> None:
    body = client_for(pseudo_settings).get("/health").json()
    assert body["status"] == "ok"
    assert set(body["backends"]) == {"translate", "proofread"}
    assert body["backends"]["translate"]["reachable"] is True
    assert body["backends"]["translate"]["backend"] == "pseudo"


def test_health_is_degraded_when_backend_is_down() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    body = (
        client_for(Settings(backend="llama-server", base_url=url, warm_up=False))
        .get("/health")
        .json()
    )
    assert body["status"] == "degraded"
    assert body["backends"]["translate"]["reachable"] is False
    assert body["backends"]["translate"]["url"] == url
    assert "ConnectError" in body["backends"]["translate"]["detail"]


def test_health_sees_live_openai_compatible_server() -> None:
    with FakeOpenAIServer() as server:
        settings = Settings(backend="llama-server", base_url=server.base_url, warm_up=False)
        body = client_for(settings).get("/health").json()
    assert body["status"] == "ok"
    assert body["backends"]["proofread"]["preset"] == "mistral-nemo"


def test_models_lists_presets_and_their_use(pseudo_settings: Settings) -> None:
    data = client_for(pseudo_settings).get("/v1/models").json()["data"]
    by_id = {card["id"]: card for card in data}
    assert by_id["pseudo"]["used_for"] == ["translate", "proofread"]
    assert by_id["gemma2-2b"]["prompt_style"] == "chat"


def test_unreachable_backend_is_503_naming_the_url() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    settings = Settings(backend="llama-server", base_url=url, warm_up=False)
    response = client_for(settings).post(
        "/v1/translate", json={"q": "Hallo Welt", "source": "de", "target": "en"}
    )
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "backend_unavailable"
    assert f"127.0.0.1:{url.split(':')[2].split('/')[0]}" in error["message"]
    assert "Traceback" not in response.text


def test_unknown_route_is_json_404(pseudo_settings: Settings) -> None:
    response = client_for(pseudo_settings).get("/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_health_reports_the_database_and_is_degraded_without_it(pseudo_settings: Settings) -> None:
    body = client_for(pseudo_settings).get("/health").json()
    assert body["database"]["reachable"] is True and body["database"]["url"].startswith("sqlite")
    # A PostgreSQL that is not there: the service still answers, says so, and hides the password.
    url = f"postgresql+psycopg://dragoman:s3cret@127.0.0.1:{free_port()}/dragoman"
    down = pseudo_settings.model_copy(update={"database_url": SecretStr(url)})
    body = client_for(down).get("/health").json()
    assert body["status"] == "degraded"
    assert body["database"]["reachable"] is False
    assert "s3cret" not in body["database"]["url"] and "127.0.0.1" in body["database"]["url"]
    assert "unavailable" in body["database"]["detail"]


def test_health_and_models_show_the_verifier_and_whether_it_is_ready(tmp_path) -> None:
    from tests.test_proofread_check import json_corrector

    settings = Settings(data_dir=tmp_path, model_dir=tmp_path / "models", warm_up=False)
    client = client_for(settings, json_corrector())  # the embedded preset; no GGUF written here
    body = client.get("/health").json()
    assert body["backends"]["verify"]["preset"] == "embedded-gemma3-270m"
    assert body["backends"]["verify"]["reachable"] is False
    assert "not prepared" in body["backends"]["verify"]["detail"]
    assert body["status"] == "degraded"
    cards = {card["id"]: card for card in client.get("/v1/models").json()["data"]}
    assert set(cards["embedded-gemma3-270m"]["used_for"]) == {"translate", "proofread", "verify"}
