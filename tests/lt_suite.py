"""A pytest plugin that runs language_tool_python's own test suite against Dragoman.

Load it with `-p tests.lt_suite` when running that suite (bench/lt_suite.py does). Every
`LanguageTool` the suite builds — `LanguageToolPublicAPI` and the CLI's included — then talks to
a Dragoman server on loopback (pseudo backend, `open_languagetool`, as real clients run it)
instead of downloading and starting Java LanguageTool. A `config` (options of the Java server
the library would start) becomes a Dragoman server with the matching settings; an option
Dragoman has no setting for is refused by name, so the test fails saying so.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from functools import wraps
from pathlib import Path
from typing import Any

import pytest

from dragoman.services.api.app import create_app
from dragoman.services.settings import Settings
from tests.live import serving

# LanguageTool server options (languagetool-server's --config file) → Dragoman settings.
CONFIG_SETTINGS = {"maxTextLength": "max_proofread_chars"}


class DragomanServers:
    """Dragoman servers on loopback, one per distinct set of settings, started when first asked."""

    def __init__(self) -> None:
        self.stack = contextlib.ExitStack()
        self.folder = Path(self.stack.enter_context(tempfile.TemporaryDirectory()))
        self.urls: dict[tuple[tuple[str, Any], ...], str] = {}

    def url(self, config: dict[str, Any] | None) -> str:
        """The URL of a server configured as `config` asks."""
        unknown = sorted(set(config or {}) - set(CONFIG_SETTINGS))
        if unknown:
            raise ValueError(f"Dragoman has no setting for LanguageTool's config {unknown}")
        overrides = {CONFIG_SETTINGS[k]: v for k, v in (config or {}).items()}
        key = tuple(sorted(overrides.items()))
        if key not in self.urls:
            data = self.folder / f"server{len(self.urls)}"
            settings = Settings(
                backend="pseudo", data_dir=data, warm_up=False, open_languagetool=True, **overrides
            )
            self.urls[key] = self.stack.enter_context(serving(create_app(settings)))
        return self.urls[key]


_STATE = pytest.StashKey[tuple[pytest.MonkeyPatch, DragomanServers]]()


def pytest_configure(config: pytest.Config) -> None:
    """Point language_tool_python at Dragoman before any of the suite's tests run."""
    from language_tool_python.server import LanguageTool

    patch = pytest.MonkeyPatch()
    for name in [n for n in os.environ if n.startswith("DRAGOMAN_")]:
        patch.delenv(name)  # the developer's settings and token must not change the answers
    servers = DragomanServers()
    patch.setenv("DRAGOMAN_CONFIG", str(servers.folder / "config.toml"))
    original = LanguageTool.__init__

    @wraps(original)
    def init(self: Any, *args: Any, remote_server: Any = None, config: Any = None, **kw: Any):
        self._server = None  # set first, as the library does, so __del__ works if this raises
        original(self, *args, remote_server=servers.url(config), **kw)

    patch.setattr(LanguageTool, "__init__", init)
    config.stash[_STATE] = (patch, servers)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the servers and undo the patches."""
    patch, servers = config.stash[_STATE]
    servers.stack.close()
    patch.undo()
