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


LISTS = {
    "base_urls": ["http://a:8080/v1", "http://b:8080/v1"],
    "dictionary": ["Dragoman", "llama.cpp"],
    "allowed_hosts": ["dragoman.lan", "my-pc.lan"],
    "cors_origins": ["https://forum.example", "http://localhost:3000"],
}


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("form", ["json", "commas", "json-spaced"])
def test_every_list_setting_takes_the_json_and_the_comma_form(
    name: str, form: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    values = LISTS[name]
    written = {
        "json": json.dumps(values),
        "commas": ",".join(values),
        "json-spaced": " [ " + " , ".join(json.dumps(v) for v in values) + " ] ",
    }[form]
    monkeypatch.setenv(f"DRAGOMAN_{name.upper()}", written)
    assert getattr(Settings(), name) == values


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("DRAGOMAN_BASE_URLS", '["http://a/v1", 5]', "strings only"),
        ("DRAGOMAN_BASE_URLS", '["http://a/v1",', "not a JSON list"),
        ("DRAGOMAN_BASE_URLS", "http://a/v1,a:8080/v1", "'a:8080/v1' is not an http"),
        ("DRAGOMAN_BASE_URLS", "ftp://a/v1", "not an http"),
        ("DRAGOMAN_BASE_URL", "localhost:8080", "not an http"),
        ("DRAGOMAN_ALLOWED_HOSTS", '{"host": "x"}', "not a list"),
    ],
)
def test_an_unusable_list_or_url_is_refused_naming_the_setting(
    name: str, value: str, says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as refused:
        Settings()
    (error,) = refused.value.errors()
    assert error["loc"][0] == name.removeprefix("DRAGOMAN_").lower() and says in error["msg"]


@pytest.mark.parametrize(
    ("name", "value", "names"),
    [
        ("DRAGOMAN_BASE_URLS", '["http://a/v1" "http://b/v1"]', "base_urls"),
        ("DRAGOMAN_BASE_URLS", "http://a/v1,/v1", "base_urls"),
        ("DRAGOMAN_SERVER_SLOTS", "{not json", "server_slots"),
    ],
)
def test_serve_stops_at_once_with_one_line_naming_the_setting(
    name: str, value: str, names: str, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, name: value}
    done = subprocess.run(
        [sys.executable, "-m", "dragoman.services.cli", "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: invalid configuration") and names in line


@pytest.mark.parametrize(
    ("value", "hosts"),
    [
        ("[::1],example.com", ["[::1]", "example.com"]),  # refused as broken JSON before #34
        ("[fe80::1]", ["[fe80::1]"]),
        ('["[::1]", "example.com"]', ["[::1]", "example.com"]),
    ],
)
def test_ipv6_hosts_can_be_listed_comma_separated(value, hosts, monkeypatch) -> None:
    monkeypatch.setenv("DRAGOMAN_ALLOWED_HOSTS", value)
    assert Settings().allowed_hosts == hosts
