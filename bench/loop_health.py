"""/health's latency while `dragoman serve` translates a large document, against an idle service:
whatever holds its event loop (database writes, tokenizer calls, building a translator) shows
as /health waiting. The service's llama-server backend is a pseudo-translating model server
(bench/model_server.py); the document is an HTML page of PARAGRAPHS unique paragraphs, sent to
the document jobs API."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from typing import Any

import httpx

from .common import percentiles
from .served import TOKEN, ModelServer, dragoman_serve

BEFORE = "7fe8a4f"  # the code before issue #24's work; $BEFORE overrides it ("" for none)
PERIOD = 0.05  # seconds between /health requests
BASELINE_S = 10.0  # seconds of /health on the idle service
JOB_LIMIT_S = 600.0
SLOTS, CALL_SECONDS = 4, 0.02  # the model server's


def paragraphs() -> int:
    """Paragraphs in the document: $PARAGRAPHS, else 1,000."""
    return int(os.environ.get("PARAGRAPHS", "1000"))


def document(count: int) -> bytes:
    """An HTML page of `count` forum-like paragraphs, each a segment found nowhere else."""
    body = "".join(
        f"<p>Beitrag {n}: Ich habe die <b>Version {n}</b> installiert, aber der Fehler bleibt "
        f"bei Schritt {n % 97} bestehen.</p>\n"
        for n in range(count)
    )
    return (
        f"<!DOCTYPE html><html><head><title>Forum</title></head><body>{body}</body></html>".encode()
    )


def poll(http: httpx.Client, done: threading.Event, limit: float) -> tuple[list[float], int]:
    """GET /health every PERIOD seconds on a fixed schedule (a slow answer skips the ticks it
    missed) until `done` or `limit` seconds; each answer's seconds, and the failures."""
    latencies, failures, start, tick = [], 0, time.monotonic(), 0
    while not done.is_set() and time.monotonic() - start < limit:
        sent = time.perf_counter()
        try:
            http.get("/health").raise_for_status()
            latencies.append(time.perf_counter() - sent)
        except httpx.HTTPError:
            failures += 1
        tick = max(tick + 1, int((time.monotonic() - start) / PERIOD) + 1)
        done.wait(max(0.0, start + tick * PERIOD - time.monotonic()))
    return latencies, failures


def watch(http: httpx.Client, job_id: str, done: threading.Event, out: dict[str, Any]) -> None:
    """Look at the job twice a second until it is no longer queued or running."""
    while not done.is_set():
        with contextlib.suppress(httpx.HTTPError):
            out.update(http.get(f"/v1/documents/{job_id}").json())
        if out.get("status") not in (None, "queued", "running"):
            out["seconds"] = time.monotonic() - out["submitted"]
            done.set()
        done.wait(0.5)


def measure(env: dict[str, str]) -> dict[str, Any]:
    """Baseline /health latency, then /health latency while the document translates."""
    count = paragraphs()
    with ModelServer(SLOTS, CALL_SECONDS) as server:
        settings = {
            "DRAGOMAN_BACKEND": "llama-server",
            "DRAGOMAN_BASE_URLS": server.base_url,
            **env,
        }
        with dragoman_serve(settings) as (url, _):
            headers = {"Authorization": f"Bearer {TOKEN}"}
            with (
                httpx.Client(base_url=url, headers=headers, timeout=30) as http,
                httpx.Client(base_url=url, headers=headers, timeout=30) as jobs,
            ):
                idle, idle_failures = poll(http, threading.Event(), BASELINE_S)
                files = {"file": ("forum.html", document(count), "text/html")}
                job: dict[str, Any] = {"submitted": time.monotonic()}
                created = jobs.post(
                    "/v1/documents", files=files, data={"source": "de", "target": "en"}
                )
                created.raise_for_status()
                done = threading.Event()
                watcher = threading.Thread(
                    target=watch, args=(jobs, created.json()["id"], done, job)
                )
                watcher.start()
                busy, busy_failures = poll(http, done, JOB_LIMIT_S)
                done.set()
                watcher.join()
        calls = server.stats()
    return {
        "paragraphs": count,
        "baseline_s": BASELINE_S,
        "slots": SLOTS,
        "call_ms": round(CALL_SECONDS * 1000),
        "job": {k: job.get(k) for k in ("status", "progress", "counts", "error")},
        "job_s": round(job.get("seconds", 0.0), 1),
        "idle_ms": percentiles(idle, 1),
        "idle_failures": idle_failures,
        "busy_ms": percentiles(busy, 1),
        "busy_over_100ms": sum(seconds > 0.1 for seconds in busy),
        "busy_failures": busy_failures,
        "model_calls": calls["requests"],
        "tokenized": calls["tokenized"],
    }
