"""5. Peak resident memory of `dragoman serve` with the embedded model while translating a page."""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

import httpx
import psutil

from tests.fakes import free_port

STREAM_RUNS = 5


def run(posts: list[str]) -> dict[str, Any]:
    """Start the real service, translate posts, and sample its RSS every 50 ms."""
    port = free_port()
    token = "bench-token"
    env = {**os.environ, "DRAGOMAN_TOKEN": token, "DRAGOMAN_MEMORY": "false"}
    process = subprocess.Popen([sys.executable, "-m", "dragoman.services.cli", "serve", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            with contextlib.suppress(psutil.Error):
                peak = max(peak, psutil.Process(process.pid).memory_info().rss)
            time.sleep(0.05)

    threading.Thread(target=sample, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        idle = psutil.Process(process.pid).memory_info().rss
        from .speed import first_post_on_stream

        # The same page a few times on the running service (no translation memory): the median
        # is what a reader sees; one run alone swings with whatever else the machine does.
        runs = [first_post_on_stream(url, token, posts) for _ in range(STREAM_RUNS)]
        stream = {
            "posts": len(posts),
            "runs": len(runs),
            "first_s": statistics.median(r["first_s"] for r in runs),
            "first_max_s": max(r["first_s"] for r in runs),
            "all_s": statistics.median(r["all_s"] for r in runs),
        }
    finally:
        stop.set()
        process.terminate()
        process.wait(timeout=20)
    return {"idle_mb": round(idle / 2**20), "peak_mb": round(peak / 2**20), "stream": stream}
