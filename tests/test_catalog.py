"""Presets are data, and settings pick one per task by clear rules."""

from __future__ import annotations

import pytest

from dragoman.services.catalog import load_catalog, resolve_model
from dragoman.services.errors import ConfigError
from dragoman.services.settings import Settings


def test_catalog_has_required_presets_and_backends() -> None:
    catalog = load_catalog()
    assert {"embedded-gemma3-270m", "gemma2-2b", "mistral-nemo", "pseudo"} <= set(catalog.presets)
    assert {"embedded", "llama-server", "ollama", "openai", "pseudo"} <= set(catalog.backends)
    for preset in catalog.presets.values():
        assert preset.backend in catalog.backends
        assert preset.prompt_style in {"chat", "completion", "raw"}
    for backend in catalog.backends.values():
        assert set(backend.default_presets.values()) <= set(catalog.presets)


def test_default_is_embedded_completion_model() -> None:
    resolved = resolve_model("translate", Settings())
    assert (resolved.backend_name, resolved.preset_name) == ("embedded", "embedded-gemma3-270m")
    assert resolved.preset.prompt_style == "completion"


def test_llama_server_uses_per_task_production_presets() -> None:
    settings = Settings(backend="llama-server")
    translate, proofread = (
        resolve_model("translate", settings),
        resolve_model("proofread", settings),
    )
    assert translate.preset_name == "gemma2-2b" and not translate.preset.system_role
    assert proofread.preset_name == "mistral-nemo"
    assert translate.base_url == "http://127.0.0.1:8080/v1"
    assert translate.backend.extra_body == {"cache_prompt": True}


def test_ollama_uses_its_own_model_names() -> None:
    resolved = resolve_model("translate", Settings(backend="ollama"))
    assert resolved.model == "gemma2:2b"
    assert resolved.base_url == "http://127.0.0.1:11434"


def test_overrides_win_over_preset() -> None:
    settings = Settings(backend="openai", base_url="http://127.0.0.1:9999/v1/", model="qwen")
    resolved = resolve_model("translate", settings)
    assert (resolved.model, resolved.base_url) == ("qwen", "http://127.0.0.1:9999/v1")


def test_explicit_preset_selects_its_backend() -> None:
    resolved = resolve_model("proofread", Settings(proofread_preset="mistral-nemo"))
    assert resolved.backend_name == "llama-server"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("backend", "gpt5", "unknown backend 'gpt5'"),
        ("translate_preset", "x", "unknown preset 'x'"),
    ],
)
def test_unknown_names_raise_config_error(field: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        resolve_model("translate", Settings(**{field: value}))
