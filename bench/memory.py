"""5. Peak resident memory of `dragoman serve` with the embedded model while translating a page."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from typing import Any

import httpx

from tests.fakes import free_port

from .common import memory_mb, peak_memory

STREAM_RUNS = 5


def _wait_ready(url: str, seconds: float = 120) -> None:
    """Poll /health until the service answers (it loads its models first)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)


def _serve(posts: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Start the real service, translate the posts a few times, sample its memory every 50 ms."""
    port = free_port()
    token = "bench-token"
    env = {**os.environ, "DRAGOMAN_TOKEN": token, "DRAGOMAN_MEMORY": "false", **env}
    process = subprocess.Popen([sys.executable, "-m", "dragoman.services.cli", "serve", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        with peak_memory([process.pid]) as peak:
            url = f"http://127.0.0.1:{port}"
            _wait_ready(url)
            idle = memory_mb(process.pid)
            from .speed import first_post_on_stream

            # The same page a few times on the running service (no translation memory): the
            # median is what a reader sees; one run alone swings with whatever else runs.
            runs = [first_post_on_stream(url, token, posts) for _ in range(STREAM_RUNS)]
    finally:
        process.terminate()
        process.wait(timeout=20)
    return {
        "idle_mb": idle[0],
        "idle_pss_mb": idle[1],
        "peak_mb": peak[0][0],
        "peak_pss_mb": peak[0][1],
        "stream": {
            "posts": len(posts),
            "runs": len(runs),
            "first_s": statistics.median(r["first_s"] for r in runs),
            "first_max_s": max(r["first_s"] for r in runs),
            "all_s": statistics.median(r["all_s"] for r in runs),
        },
    }


def run(posts: list[str]) -> dict[str, Any]:
    """The service as shipped, then without the proofreading verifier (what it costs)."""
    shipped = _serve(posts, {})
    shipped["without_verifier"] = _serve(posts, {"DRAGOMAN_PROOFREAD_VERIFIER": "off"})
    return shipped
