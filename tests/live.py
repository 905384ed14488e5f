"""Live servers in tests: Dragoman apps on loopback threads, and bounded waits instead of sleeps."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from tests.fakes import free_port


def wait_until(
    condition: Callable[[], Any], timeout: float = 10.0, what: str = "the condition"
) -> Any:
    """Poll `condition` until it is truthy and return its value; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


@contextmanager
def serving(app: Any, timeout: float = 120.0) -> Iterator[str]:
    """Run an ASGI app with uvicorn in a thread on a free loopback port; yield its URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started or not thread.is_alive(), timeout, "the app to start")
        if not server.started:
            raise AssertionError("the app's server thread died before it started")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
