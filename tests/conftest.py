"""Shared fixtures: every test gets isolated settings, no user config, and a clean LLM cache."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.globals import set_llm_cache

from dragoman.services.settings import Settings

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hide the developer's DRAGOMAN_* variables and config file; reset LangChain's global cache."""
    for name in list(os.environ):
        if name.startswith("DRAGOMAN_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DRAGOMAN_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("DRAGOMAN_DATA_DIR", str(tmp_path / "data"))
    # Every API call in the tests carries this token, as clients must; TestClient's host is allowed.
    monkeypatch.setenv("DRAGOMAN_TOKEN", TOKEN)
    monkeypatch.setenv("DRAGOMAN_ALLOWED_HOSTS", '["testserver"]')
    set_llm_cache(None)


@pytest.fixture
def pseudo_settings(tmp_path: Path) -> Settings:
    """Settings for the pseudo backend, which needs no model."""
    return Settings(backend="pseudo", data_dir=tmp_path / "data", warm_up=False)


@pytest.fixture(scope="session")
def nlp():
    """The spaCy English pipeline, loaded once for the whole run."""
    from dragoman.services.nlp import english_nlp

    return english_nlp()


@pytest.fixture(scope="session")
def linter():
    """Harper's American English linter, built once for the whole run."""
    from dragoman.services.nlp import harper_linter

    return harper_linter("en-US")


@pytest.fixture(scope="session")
def annotator():
    """ERRANT's annotator on the shared spaCy pipeline."""
    from dragoman.services.nlp import errant_annotator

    return errant_annotator()


@pytest.fixture
def live_app() -> Iterator[Callable[[Any], str]]:
    """Start ASGI apps with uvicorn on loopback threads; each stops when the test ends."""
    from tests.live import serving

    with contextlib.ExitStack() as stack:
        yield lambda app: stack.enter_context(serving(app))


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """A real PostgreSQL for the whole run, in a temporary directory (for tests marked postgres)."""
    from tests.postgres import postgres_server

    with postgres_server() as server:
        yield server


@pytest.fixture
def pg_url(postgres: Any) -> str:
    """The URL of a fresh, empty database on the test PostgreSQL."""
    return postgres.create_database()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database for Dragoman's stores: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'stores.sqlite3'}"
    return request.getfixturevalue("pg_url")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run tests/test_engines.py first: an engine this CPU cannot run stops the suite there."""
    items.sort(key=lambda item: item.path.name != "test_engines.py")
