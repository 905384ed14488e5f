"""One settings class: init arguments beat DRAGOMAN_* variables, which beat the TOML file."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from dragoman.services.settings import Settings, config_file_path, load_settings


def test_defaults() -> None:
    settings = Settings()
    assert (settings.host, settings.port, settings.backend) == ("127.0.0.1", 8787, None)


def test_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('port = 9000\nbackend = "ollama"\nmodel = "from-file"\n')
    monkeypatch.setenv("DRAGOMAN_CONFIG", str(config))
    monkeypatch.setenv("DRAGOMAN_MODEL", "from-env")
    settings = load_settings(backend="pseudo", host=None)
    assert config_file_path() == config
    assert settings.port == 9000
    assert settings.model == "from-env"
    assert settings.backend == "pseudo"
    assert settings.host == "127.0.0.1"


def test_invalid_values_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAGOMAN_PORT", "99999")
    with pytest.raises(ValidationError, match="port"):
        Settings()


def test_unknown_keys_in_config_file_are_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("prot = 1\n")
    monkeypatch.setenv("DRAGOMAN_CONFIG", str(config))
    with pytest.raises(ValidationError, match="prot"):
        Settings()
