"""A pool answers while any server is up, whichever servers die, in whatever order; the sync and
async clients alike (httpx's MockTransport stands in for the servers)."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from dragoman.services.llm.pool import PoolTransport, ServerPool


class Servers:
    """Hosts a, b, c… in states: up (answers with its name), gone (refuses), slow (connect
    timeout), busy (503)."""

    def __init__(self, *states: str) -> None:
        self.state = {chr(ord("a") + n): s for n, s in enumerate(states)}
        self.answered: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        state = self.state[host]
        if state == "gone":
            raise httpx.ConnectError("connection refused", request=request)
        if state == "slow":
            raise httpx.ConnectTimeout("timed out", request=request)
        if state == "busy":
            return streamed(503, {"error": "loading model"})
        self.answered.append(host)
        return streamed(200, {"host": host, "path": request.url.path})


def streamed(status: int, body: dict) -> httpx.Response:
    """An answer whose body arrives as a stream, as from a real server (read, then closed)."""
    return httpx.Response(status, stream=httpx.ByteStream(json.dumps(body).encode()))


def pool_of(servers: Servers, clock=None) -> tuple[ServerPool, PoolTransport]:
    urls = [f"http://{host}/v1" for host in servers.state]
    pool = ServerPool(urls, retry_after=5, **({"clock": clock} if clock else {}))
    mock = httpx.MockTransport(servers)
    return pool, PoolTransport(pool, urls[0], sync=mock, asynchronous=mock)


def send_sync(transport: PoolTransport, n: int) -> list[httpx.Response]:
    with httpx.Client(transport=transport, base_url="http://a/v1") as client:
        return [client.post("/chat/completions", json={"n": i}) for i in range(n)]


def send_async(transport: PoolTransport, n: int) -> list[httpx.Response]:
    async def go() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=transport, base_url="http://a/v1") as client:
            return list(
                await asyncio.gather(
                    *(client.post("/chat/completions", json={"n": i}) for i in range(n))
                )
            )

    return asyncio.run(go())


SEND = {"sync": send_sync, "async": send_async}
LAYOUTS = {
    "good,gone": ("up", "gone"),
    "gone,good": ("gone", "up"),
    "good,slow": ("up", "slow"),
    "gone,up,up": ("gone", "up", "up"),
    "up,gone,up": ("up", "gone", "up"),
    "up,up,gone": ("up", "up", "gone"),
    "gone,gone,up": ("gone", "gone", "up"),
    "busy,up": ("busy", "up"),
}


@pytest.mark.parametrize("client", SEND)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_request_is_answered_while_one_server_is_up(client: str, layout: str) -> None:
    servers = Servers(*LAYOUTS[layout])
    pool, transport = pool_of(servers)
    responses = SEND[client](transport, 10)
    assert [r.status_code for r in responses] == [200] * 10
    assert all(r.json()["path"] == "/v1/chat/completions" for r in responses)
    up = {host for host, state in servers.state.items() if state == "up"}
    assert set(servers.answered) <= up and len(servers.answered) == 10
    described = {s["url"]: s for s in pool.describe()}
    for host, state in servers.state.items():
        server = described[f"http://{host}/v1"]
        assert server["in_flight"] == 0
        assert server["up"] is (state == "up"), (host, server)  # only the failed are left out


@pytest.mark.parametrize("client", SEND)
def test_the_last_servers_overload_is_answered_and_recorded(client: str) -> None:
    servers = Servers("busy", "busy")
    pool, transport = pool_of(servers)
    (response,) = SEND[client](transport, 1)
    assert response.status_code == 503
    assert all(not s["up"] and s["error"] == "HTTP 503" for s in pool.describe())


@pytest.mark.parametrize("client", SEND)
def test_a_server_coming_back_while_another_goes(client: str) -> None:
    now = [0.0]
    servers = Servers("gone", "up", "up")
    pool, transport = pool_of(servers, clock=lambda: now[0])
    assert all(r.status_code == 200 for r in SEND[client](transport, 4))
    servers.state.update(a="up", b="gone")  # a is back, b dies
    now[0] = 6.0  # a is due to be tried again
    servers.answered.clear()
    assert all(r.status_code == 200 for r in SEND[client](transport, 6))
    assert "a" in servers.answered and "b" not in servers.answered
    servers.state.update(c="gone")  # only a is left
    now[0] = 12.0
    servers.answered.clear()
    assert all(r.status_code == 200 for r in SEND[client](transport, 4))
    assert servers.answered == ["a"] * 4


@pytest.mark.parametrize("client", SEND)
def test_with_every_server_gone_the_error_names_the_connection(client: str) -> None:
    pool, transport = pool_of(Servers("gone", "slow"))
    with pytest.raises(httpx.TransportError):
        SEND[client](transport, 1)
    assert all(not s["up"] and s["in_flight"] == 0 for s in pool.describe())


class _Hanging(httpx.AsyncBaseTransport):
    """A server that accepted the connection and never answers."""

    def __init__(self) -> None:
        self.reached = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.reached.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


def test_a_cancelled_request_gives_its_server_back_unblamed() -> None:
    pool = ServerPool(["http://a/v1", "http://b/v1"], retry_after=5)
    hanging = _Hanging()
    transport = PoolTransport(pool, "http://a/v1", asynchronous=hanging)

    async def go() -> None:
        async with httpx.AsyncClient(transport=transport, base_url="http://a/v1") as client:
            call = asyncio.create_task(client.post("/chat/completions", json={}))
            await hanging.reached.wait()
            call.cancel()  # the client of Dragoman left: its model call is cancelled
            with pytest.raises(asyncio.CancelledError):
                await call

    asyncio.run(go())
    assert [s.in_flight for s in pool.servers] == [0, 0]
    assert all(server["up"] and server["error"] is None for server in pool.describe())


@pytest.mark.parametrize(
    "urls",
    [
        ["http://a:80/v1", "http://b:80/v1"],  # httpx drops a default port
        ["http://A/v1", "http://B/v1"],  # and lower-cases a host
        ["https://a:443/v1/", "https://b:443/v1/"],
    ],
)
def test_failover_whatever_form_the_urls_take(urls: list[str]) -> None:
    # Before #34 both attempts went to a, and b was marked down with it.
    servers = Servers("gone", "up")
    pool = ServerPool(urls, retry_after=5)
    mock = httpx.MockTransport(servers)
    transport = PoolTransport(pool, urls[0], sync=mock, asynchronous=mock)
    with httpx.Client(transport=transport, base_url=urls[0]) as client:
        answer = client.post("chat/completions?x=1", json={})
    assert answer.status_code == 200 and answer.json() == {
        "host": "b",
        "path": "/v1/chat/completions",
    }
    assert [s["up"] for s in pool.describe()] == [False, True]
