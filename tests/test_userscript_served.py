"""The userscript from the service: one click in the page installs it in a userscript manager,
set to the address it came from, and it holds no token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dragoman.chains import InputError
from dragoman.services.api.app import create_app
from dragoman.services.api.routes.web import served_userscript
from dragoman.services.settings import Settings

SOURCE = Path(__file__).resolve().parents[1] / "userscripts" / "dragoman.user.js"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        backend="pseudo",
        data_dir=tmp_path,
        warm_up=False,
        token="s3cret-token",
        allowed_hosts=["dragoman.lan"],
    )
    with TestClient(create_app(settings), base_url="http://dragoman.lan:8787") as client:
        yield client


def _metadata(script: str) -> dict[str, list[str]]:
    block = script.split("// ==/UserScript==")[0]
    found: dict[str, list[str]] = {}
    for key, value in re.findall(r"^// @(\S+)[ \t]*(.*)$", block, re.MULTILINE):
        found.setdefault(key, []).append(value.strip())
    return found


def test_the_script_is_served_without_a_token_set_to_this_address(client) -> None:
    # Before #35 every such URL answered 404: users had to open the file from a checkout.
    answer = client.get("/dragoman.user.js")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(
        "text/javascript"
    )
    meta = _metadata(answer.text)
    assert meta["updateURL"] == meta["downloadURL"] == ["http://dragoman.lan:8787/dragoman.user.js"]
    assert "dragoman.lan" in meta["connect"] and meta["match"] == ["*://*/*"]
    assert 'serviceUrl: "http://dragoman.lan:8787",' in answer.text
    assert "s3cret-token" not in answer.text
    # Everything but the address and the three metadata lines is the script as it ships.
    source = SOURCE.read_text(encoding="utf-8")
    assert len(answer.text.splitlines()) == len(source.splitlines()) + 3


def test_the_page_links_the_script(client) -> None:
    page = client.get("/").text
    assert 'href="/dragoman.user.js"' in page


@pytest.mark.parametrize("host", ['x"; alert(1); "', "a b", "evil\n// @connect *"])
def test_an_address_that_is_not_a_host_name_is_refused(host) -> None:
    with pytest.raises(InputError):
        served_userscript("http", host, None)


def test_an_ipv6_address_is_served_in_brackets_and_connected_without() -> None:
    script = served_userscript("http", "[::1]", 8787)
    assert 'serviceUrl: "http://[::1]:8787",' in script
    assert "::1" in _metadata(script)["connect"]
