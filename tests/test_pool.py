"""A pool of model servers: load spread by requests in flight, failing servers skipped and
tried again later, a service that starts before its backend and recovers without a restart."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import httpx
import pytest
from fastapi.testclient import TestClient

from dragoman.services.api.app import create_app
from dragoman.services.llm.pool import ServerPool
from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from tests.conftest import AUTH, TOKEN
from tests.fake_server import FakeOpenAIServer
from tests.fakes import free_port, to_english
from tests.live import wait_until
from tests.test_backends_wire import json_batch

POSTS = [f"Das ist der Beitrag Nummer {n} im Forum." for n in range(12)]


def translation(body: dict) -> str:
    """Answer one segment's request: its fenced source, translated."""
    source = re.search(r"<source[^>]*>\n(.*)\n</source>", body["messages"][-1]["content"], re.S)
    return to_english(source.group(1)) if source else json_batch(body)


def translate(client: TestClient, posts: list[str]) -> list[dict]:
    response = client.post("/v1/translate", json={"q": posts, "source": "de", "target": "en"})
    assert response.status_code == 200, response.text
    return response.json()["translations"]


def pool_client(tmp_path, urls: list[str], **more) -> TestClient:
    settings = Settings(
        backend="llama-server",
        base_urls=urls,
        data_dir=tmp_path,
        memory=False,
        constrained=True,
        batch_segments=1,  # one request per post, so the pool has many to spread
        warm_up=False,
        **more,
    )
    return TestClient(create_app(runtime=Runtime(settings)), headers=AUTH)


def test_requests_spread_over_the_servers_by_load(tmp_path) -> None:
    with FakeOpenAIServer(reply=translation) as a, FakeOpenAIServer(reply=translation) as b:
        client = pool_client(tmp_path, [a.base_url, b.base_url], parallel=4)
        items = translate(client, POSTS)
        health = client.get("/health").json()
    assert [i["status"] for i in items] == ["ok"] * len(POSTS)
    assert items[3]["text"] == "THE IS THE POST NUMBER 3 IN THE FORUM."
    assert len(a.requests) + len(b.requests) == len(POSTS)
    assert a.requests and b.requests  # both servers took part
    servers = health["backends"]["translate"]["servers"]
    assert [s["url"] for s in servers] == [a.base_url, b.base_url]
    assert all(s["up"] and s["in_flight"] == 0 for s in servers)


def test_a_server_that_drops_requests_is_left_out_and_nothing_is_lost(tmp_path) -> None:
    with (
        FakeOpenAIServer(reply=translation) as good,
        FakeOpenAIServer(reply=translation, fault=lambda n: "drop") as bad,
    ):
        client = pool_client(tmp_path, [bad.base_url, good.base_url], backend_retries=2)
        items = translate(client, POSTS)
        health = client.get("/health").json()
    assert [i["status"] for i in items] == ["ok"] * len(POSTS)
    assert len(good.requests) == len(POSTS)  # each post answered once, by the good server
    assert len(bad.requests) <= 1 + 2  # tried, then left out until it is due again
    (down,) = [s for s in health["backends"]["translate"]["servers"] if not s["up"]]
    assert down["url"] == bad.base_url and down["error"]


def test_a_server_that_is_not_there_costs_no_failed_item(tmp_path) -> None:
    gone = f"http://127.0.0.1:{free_port()}/v1"
    with FakeOpenAIServer(reply=translation) as good:
        client = pool_client(tmp_path, [gone, good.base_url])
        items = translate(client, POSTS[:4])
        health = client.get("/health").json()
    assert [i["status"] for i in items] == ["ok"] * 4 and len(good.requests) == 4
    assert health["status"] == "degraded"  # one server of the pool is away
    assert health["backends"]["translate"]["reachable"] is True
    assert gone in health["backends"]["translate"]["detail"]


def test_service_started_before_its_backend_recovers_by_itself(tmp_path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/v1"
    settings = Settings(
        backend="llama-server", base_url=url, data_dir=tmp_path, memory=False, server_retry=0.05
    )
    with TestClient(create_app(runtime=Runtime(settings)), headers=AUTH) as client:  # warms up
        assert client.get("/health").json()["status"] == "degraded"
        down = client.post(
            "/v1/translate", json={"q": "Hallo Welt", "source": "de", "target": "en"}
        )
        assert down.status_code == 503
        assert down.json()["error"]["code"] == "backend_unavailable" and url in down.text
        with FakeOpenAIServer(reply=translation, port=port):
            items = translate(client, ["Hallo Welt, wie geht es?"])
            assert items[0]["status"] == "ok"
            assert client.get("/health").json()["status"] == "ok"


def test_least_busy_server_is_chosen_and_a_failed_one_waits_its_turn() -> None:
    now = [0.0]
    pool = ServerPool(["http://a/v1", "http://b/v1"], retry_after=5, clock=lambda: now[0])
    pool.servers[0].slots = 4
    first, second = pool.acquire(set()), pool.acquire(set())
    assert (first.url, second.url) == ("http://a/v1", "http://b/v1")  # 0/4 then 0/1
    assert pool.acquire(set()).url == "http://a/v1"  # 1/4 beats 1/1
    pool.release(second, "ConnectError")
    assert pool.up_slots() == 4
    assert {pool.acquire({"http://a/v1"}).url} == {"http://b/v1"}  # only when nothing else is left
    now[0] = 6.0
    assert pool.up_slots() == 5


def test_serve_starts_before_its_backend_and_translates_once_it_is_up(tmp_path) -> None:
    backend_port, port = free_port(), free_port()
    env = {
        **os.environ,
        "DRAGOMAN_TOKEN": TOKEN,
        "DRAGOMAN_DATA_DIR": str(tmp_path),
        "DRAGOMAN_SERVER_RETRY": "0.1",
    }
    command = [sys.executable, "-m", "dragoman.services.cli", "serve", "--port", str(port),
               "--backend", "llama-server", "--base-url", f"http://127.0.0.1:{backend_port}/v1"]  # fmt: skip
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:

        def health() -> dict | None:
            if process.poll() is not None:
                pytest.fail(f"serve exited: {process.stderr.read() if process.stderr else ''}")
            try:
                return httpx.get(f"{base}/health", timeout=2).json()
            except httpx.HTTPError:
                return None

        assert wait_until(health, 120, "serve to answer")["status"] == "degraded"
        with FakeOpenAIServer(reply=translation, port=backend_port):
            answer = httpx.post(
                f"{base}/v1/translate",
                json={"q": "Hallo Welt, wie geht es dir?", "source": "de", "target": "en"},
                headers=AUTH,
                timeout=60,
            )
            assert answer.status_code == 200, answer.text
            assert answer.json()["translations"][0]["status"] == "ok"
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert "does not answer" in err and "serving degraded" in err
