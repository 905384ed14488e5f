"""Backends send what the servers expect, proved against a fake server on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest

from dragoman.services.catalog import load_catalog, resolve_model
from dragoman.services.errors import ConfigError
from dragoman.services.llm.embedded import make_embedded_model
from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from tests.conftest import AUTH, TOKEN
from tests.fakes import FakeOpenAIServer, free_port, to_english, translate_text


def test_llama_server_request_carries_cache_prompt_and_gemma_turns() -> None:
    with FakeOpenAIServer(reply=lambda body: "Good morning!") as server:
        runtime = Runtime(Settings(backend="llama-server", base_url=server.base_url))
        assert translate_text(runtime, "Guten Morgen!").text == "Good morning!"
    (request,) = server.requests
    assert request["path"] == "/v1/chat/completions"
    body = request["json"]
    assert body["cache_prompt"] is True and body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}  # cached prompt tokens come last
    assert body["temperature"] == 0.0
    assert body["model"] == "gemma-2-2b-it"
    # The answer is capped from the source's tokens, counted by the server's own tokenizer.
    assert server.tokenized == ["Guten Morgen!"]
    assert 16 <= body["max_completion_tokens"] <= 64
    # Gemma has no system role: one user turn carries the instructions and the fenced text.
    assert [m["role"] for m in body["messages"]] == ["user"]
    assert "from German to English" in body["messages"][0]["content"]


def test_openai_backend_sends_key_and_no_llama_extras() -> None:
    with FakeOpenAIServer(reply=lambda body: "Good morning!") as server:
        settings = Settings(
            backend="openai", base_url=server.base_url, model="qwen", api_key="sk-test"
        )
        translate_text(Runtime(settings), "Guten Morgen!")
    (request,) = server.requests
    assert request["headers"]["authorization"] == "Bearer sk-test"
    assert "cache_prompt" not in request["json"]
    assert request["json"]["model"] == "qwen"


def test_ollama_backend_uses_native_chat_api() -> None:
    with FakeOpenAIServer(reply=lambda body: "Good morning!") as server:
        settings = Settings(backend="ollama", base_url=f"http://127.0.0.1:{server.port}")
        assert translate_text(Runtime(settings), "Guten Morgen!").text == "Good morning!"
    (request,) = server.requests
    assert request["path"] == "/api/chat"
    assert request["json"]["model"] == "gemma2:2b"
    assert request["json"]["options"]["temperature"] == 0.0
    assert request["json"]["options"]["num_ctx"] == 8192


def wait_for_health(url: str, process: subprocess.Popen, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"server exited: {process.stderr.read() if process.stderr else ''}"
            )
        try:
            return httpx.get(f"{url}/health", timeout=1).json()
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("server did not start")


def test_serve_against_an_openai_compatible_server() -> None:
    port = free_port()
    with FakeOpenAIServer(reply=lambda body: "Good morning!") as server:
        command = [
            sys.executable,
            "-m",
            "dragoman.services.cli",
            "serve",
            "--port",
            str(port),
            "--backend",
            "llama-server",
            "--base-url",
            server.base_url,
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("DRAGOMAN_")}
        env["DRAGOMAN_TOKEN"] = TOKEN
        with subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True) as process:
            try:
                url = f"http://127.0.0.1:{port}"
                health = wait_for_health(url, process)
                assert health["status"] == "ok"
                assert health["backends"]["translate"]["url"] == server.base_url
                body = {"q": "Guten Morgen!", "source": "de", "target": "en"}
                response = httpx.post(f"{url}/v1/translate", json=body, headers=AUTH)
                assert response.json()["translations"][0]["text"] == "Good morning!"
            finally:
                process.terminate()
                process.wait(timeout=10)


def json_batch(body: dict) -> str:
    """Answer a constrained batch request: each numbered line translated, as JSON."""
    import json
    import re

    lines = re.findall(r"^\[(\d+)\] (.*)$", body["messages"][-1]["content"], re.M)
    return json.dumps({n: to_english(text) for n, text in lines})


PAGE = "<p>Erster Beitrag im Forum.</p><p>Zweiter Beitrag im Forum.</p><p>Dritter Beitrag.</p>"


def test_constrained_batch_asks_for_exactly_its_ids_on_llama_server() -> None:
    with FakeOpenAIServer(reply=json_batch) as server:
        settings = Settings(backend="llama-server", base_url=server.base_url, constrained=True)
        result = translate_text(Runtime(settings), PAGE, fmt="html")
    (request,) = server.requests
    schema = request["json"]["response_format"]["json_schema"]["schema"]  # in the body as it is
    assert schema["required"] == ["1", "2", "3"] and set(schema["properties"]) == {"1", "2", "3"}
    assert schema["additionalProperties"] is False
    assert request["json"]["cache_prompt"] is True
    assert "JSON object" in request["json"]["messages"][0]["content"]
    assert result.counts == {"ok": 3} and "<p>SECOND POST IN THE FORUM.</p>" in result.text


def test_constrained_batch_on_ollama_uses_format() -> None:
    def reply(body: dict) -> str:
        return json_batch({"messages": body["messages"]})

    with FakeOpenAIServer(reply=reply) as server:
        settings = Settings(
            backend="ollama", base_url=f"http://127.0.0.1:{server.port}", constrained=True
        )
        translate_text(Runtime(settings), PAGE, fmt="html")
    (request,) = server.requests
    assert request["path"] == "/api/chat"
    assert request["json"]["format"]["required"] == ["1", "2", "3"]


def test_unconstrained_batch_sends_no_schema() -> None:
    with FakeOpenAIServer(reply=lambda body: "[1] A\n[2] B\n[3] C") as server:
        settings = Settings(backend="llama-server", base_url=server.base_url, constrained=False)
        translate_text(Runtime(settings), PAGE, fmt="html")
    assert "response_format" not in server.requests[0]["json"]


def test_translategemma_sends_language_codes_on_every_request() -> None:
    with FakeOpenAIServer(reply=lambda body: "Good morning, everybody!") as server:
        settings = Settings(
            backend="llama-server", base_url=server.base_url, translate_preset="translategemma-4b"
        )
        translate_text(Runtime(settings), "<p>Guten Morgen!</p><p>Bis bald.</p>", fmt="html")
    assert len(server.requests) == 2  # one segment per request, in its own template
    for request in server.requests:
        body = request["json"]
        assert request["path"] == "/v1/chat/completions"
        assert body["chat_template_kwargs"] == {"source_lang_code": "de", "target_lang_code": "en"}
        assert body["cache_prompt"] is True
        # The message is the text alone: TranslateGemma's template adds its own instructions.
        assert [m["role"] for m in body["messages"]] == ["user"]
        assert body["messages"][0]["content"] in ("Guten Morgen!", "Bis bald.")


def test_base_model_on_llama_server_uses_completions_with_few_shot_prefix() -> None:
    with FakeOpenAIServer(reply=lambda body: " Good morning!") as server:
        settings = Settings(
            backend="llama-server", base_url=server.base_url, translate_preset="gemma3-270m"
        )
        assert translate_text(Runtime(settings), "Guten Morgen!").text == "Good morning!"
    (request,) = server.requests
    assert request["path"] == "/v1/completions"
    body = request["json"]
    prompt = body["prompt"]
    assert body["stream"] is True  # llama-server frees the slot of a caller that leaves
    assert prompt.endswith("German: Guten Morgen!\nEnglish:")
    assert "German: Vielen Dank.\nEnglish: Thank you very much." in prompt
    assert body["stop"] == ["\n"] and body["cache_prompt"] is True


def test_a_presets_samplers_go_in_every_llama_server_request() -> None:
    catalog = load_catalog().with_samplers(
        "gemma3-270m", {"dry_multiplier": 0.8, "repeat_penalty": 1.1}
    )
    with FakeOpenAIServer(reply=lambda body: " Good morning!") as server:
        settings = Settings(
            backend="llama-server", base_url=server.base_url, translate_preset="gemma3-270m"
        )
        runtime = Runtime(settings, catalog=catalog)
        assert translate_text(runtime, "Guten Morgen!").text == "Good morning!"
    (request,) = server.requests
    body = request["json"]
    assert body["dry_multiplier"] == 0.8 and body["repeat_penalty"] == 1.1
    assert body["cache_prompt"] is True


def test_embedded_samplers_are_call_options_and_unknown_ones_are_refused(tmp_path) -> None:
    settings = Settings(model_dir=tmp_path)
    catalog = load_catalog().with_samplers("embedded-gemma3-270m", {"repeat_penalty": 1.1})
    recorded: list[dict] = []
    model = make_embedded_model(
        resolve_model("translate", settings, catalog), settings, recorded.append
    )
    model.invoke("German: Hallo.\nEnglish:")
    assert recorded[0]["repeat_penalty"] == 1.1
    catalog = load_catalog().with_samplers("embedded-gemma3-270m", {"dry_multiplier": 0.8})
    with pytest.raises(ConfigError, match="llama-cpp-python has no sampler dry_multiplier"):
        make_embedded_model(resolve_model("translate", settings, catalog), settings)
