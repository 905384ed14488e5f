"""Browser tests: Debian's Chromium driven by Playwright, pages and Dragoman served on loopback."""

from __future__ import annotations

import functools
import json
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from dragoman.services.api.app import create_app
from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from tests.conftest import TOKEN
from tests.corpus import CORPUS
from tests.live import serving

CHROMIUM = os.environ.get("DRAGOMAN_CHROMIUM", "/usr/bin/chromium")
USERSCRIPT = Path(__file__).resolve().parents[2] / "userscripts" / "dragoman.user.js"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
# Chromium must not reach for the network: this machine has none, and tests must not need it.
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
    "--disable-background-networking", "--disable-component-update",
]  # fmt: skip

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per module: Playwright's sync API runs an event loop on this
    thread while it is open, and other tests need the thread free for asyncio.run."""
    if not shutil.which(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def tab(browser: Any) -> Iterator[Any]:
    """One blank page per module, for evaluating scripts such as tests/browser/dom.py's."""
    context = browser.new_context()
    yield context.new_page()
    context.close()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def corpus_site() -> Iterator[str]:
    """The saved pages of ../shared/corpus/html, served on loopback."""
    root = CORPUS / "html"
    if not root.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def serve(settings: Settings) -> Iterator[str]:
    """Run a Dragoman service in a thread until the test is done."""
    with serving(create_app(runtime=Runtime(settings))) as url:
        yield url


@pytest.fixture(scope="session")
def pseudo_dragoman(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Dragoman on the pseudo backend: fast and deterministic."""
    data = tmp_path_factory.mktemp("pseudo-data")
    yield from serve(
        Settings(backend="pseudo", data_dir=data, warm_up=False, memory=False, token=TOKEN)
    )


@pytest.fixture(scope="session")
def embedded_dragoman(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Dragoman on the real embedded model."""
    data = tmp_path_factory.mktemp("embedded-data")
    yield from serve(Settings(data_dir=data, memory=False, token=TOKEN))


# The GM_* functions a userscript manager provides; requests go through Python, as a manager's
# privileged requests do, so the page's origin and CORS play no part.
GM_SHIM = """
(() => {
  const store = { settings: %s };
  window.GM_getValue = (key, fallback) => (key in store ? store[key] : fallback);
  window.GM_setValue = (key, value) => { store[key] = value; };
  window.__dragomanMenu = {};
  window.GM_registerMenuCommand = (name, action) => { window.__dragomanMenu[name] = action; };
  window.GM_xmlhttpRequest = (options) => {
    window.__gmRequest(JSON.stringify({ method: options.method, url: options.url,
      headers: options.headers || {}, data: options.data || null })).then((answer) => {
      const result = JSON.parse(answer);
      if (result.error) { options.onerror && options.onerror({ status: 0 }); return; }
      const response = { status: result.status, responseText: result.text };
      options.onprogress && options.onprogress(response);
      options.onload && options.onload(response);
    });
  };
})();
"""


def gm_request(payload: str) -> str:
    """Carry out a GM_xmlhttpRequest for the page."""
    request = json.loads(payload)
    try:
        response = httpx.request(
            request["method"],
            request["url"],
            headers=request["headers"],
            content=request["data"],
            timeout=300,
        )
    except httpx.HTTPError as exc:
        return json.dumps({"error": str(exc)})
    return json.dumps({"status": response.status_code, "text": response.text})


@pytest.fixture
def open_page(browser: Any, corpus_site: str) -> Iterator[Any]:
    """Open a corpus page with the GM shim and settings; returns a function (file, service, target)."""
    contexts = []

    def opener(
        file: str,
        service: str,
        target: str,
        auto: bool = True,
        mode: str = "replace",
        selectors: str = "",
    ) -> Any:
        context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
        contexts.append(context)
        allowed = (corpus_site, service)
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(allowed) else route.abort()
            ),
        )
        settings = {
            "serviceUrl": service,
            "target": target,
            "mode": mode,
            "token": TOKEN,
            "autoSites": ["127.0.0.1"] if auto else [],
            "customSelectors": selectors,
        }
        context.add_init_script(GM_SHIM % json.dumps(json.dumps(settings)))
        page = context.new_page()
        page.expose_function("__gmRequest", gm_request)
        page.goto(f"{corpus_site}/{file}", wait_until="domcontentloaded")
        return page

    yield opener
    for context in contexts:
        context.close()


def inject_userscript(page: Any) -> None:
    """Run the userscript in the page, as a manager does at document-idle."""
    page.add_script_tag(content=USERSCRIPT.read_text(encoding="utf-8"))


def screenshot(page: Any, name: str) -> Path:
    """Save a screenshot under tests/artifacts/ (git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
