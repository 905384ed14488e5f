"""10. Reliability under load. 20 clients translate through `dragoman serve` for DURATION seconds
(default 120), its llama-server backend a pool of two pseudo-translating model servers
(bench/model_server.py), one of which is SIGKILLed at a third of the run and started again on
its port at two thirds; every segment that comes back is checked against the pseudo transform.
With it, /health's latency while a large document translates (bench/loop_health.py).

`python -m bench.reliability [out.json]` runs both and prints the section without touching
docs/benchmarks.md; `python -m bench.run reliability` runs them for the page.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx

from dragoman.services.llm.pseudo import pseudolocalize

from . import loop_health
from .common import machine, percentiles
from .served import TOKEN, ModelServer, code_of, cpu_seconds, dragoman_serve

CLIENTS = 20
ITEMS = 3  # segments in each request
SLOTS = 4  # each model server's `--parallel`: 2 × 4 running + 16 queued (max_queue) ≥ 20 clients
CALL_SECONDS = 0.1  # each model answer streams over this long: a kill cuts some off
KINDS = ("dragoman text", "dragoman html", "libretranslate")
SENTENCES = [
    "Der Bericht Nummer {n} wurde gestern an das ganze Team geschickt.",
    "Kannst du dir die Zahlen bis Freitag noch einmal ansehen?",
    "Die neue Version {n} läuft auf unserem Server ohne Probleme.",
    "Vielen Dank für deine schnelle Antwort im Forum.",
    "Ich habe das Update installiert, aber der Fehler {n} bleibt.",
    "Weiß jemand, wie man die Einstellungen zurücksetzt?",
]
TAG = re.compile(r"<[^>]+>")


def duration() -> float:
    """Seconds the load runs: $DURATION, else 120."""
    return float(os.environ.get("DURATION", "120"))


def sources_of(kind: str, n: int) -> list[str]:
    """Request n's texts, each one segment and found in no other request."""
    out = []
    for i in range(ITEMS):
        words = f"{SENTENCES[(n + i) % len(SENTENCES)].format(n=n)} ({n}.{i})".split()
        if kind == "dragoman html":
            words[1] = f"<b>{words[1]}</b>"
            out.append(f"<p>{' '.join(words)}</p>")
        else:
            out.append(" ".join(words))
    return out


def request_of(kind: str, sources: list[str]) -> tuple[str, dict[str, Any]]:
    """Where each kind of client sends its texts, and how."""
    body = {"q": sources, "source": "de", "target": "en"}
    if kind == "libretranslate":
        return "/translate", {**body, "format": "text", "api_key": TOKEN}
    return "/v1/translate", {**body, "format": "html" if kind == "dragoman html" else "text"}


def translated(source: str, answer: str) -> bool:
    """Whether `answer` is the pseudo transform of `source`: the same tags, the text accented."""
    same_tags = TAG.findall(answer) == TAG.findall(source)
    return same_tags and TAG.sub("", answer) == pseudolocalize(TAG.sub("", source))


def good_segments(kind: str, sources: list[str], body: dict[str, Any], bad: list[str]) -> int:
    """How many of an answer's segments came back translated and not `failed`."""
    if kind == "libretranslate":
        answers = [(text, "ok") for text in body["translatedText"]]
    else:
        answers = [(item["text"], item["status"]) for item in body["translations"]]
    good = 0
    for source, (text, status) in zip(sources, answers, strict=True):
        if status != "failed" and translated(source, text):
            good += 1
        else:
            bad.append(f"{kind} [{status}] {source!r} -> {text!r}")
    return good


async def client(
    http: httpx.AsyncClient,
    n: int,
    clock: Callable[[], float],
    end: float,
    samples: list[dict[str, Any]],
    bad: list[str],
) -> None:
    """One client: a request, its answer checked, the next request, until `end`."""
    while clock() < end:
        kind = KINDS[n % len(KINDS)]
        sources = sources_of(kind, n)
        path, body = request_of(kind, sources)
        started, good = clock(), 0
        try:
            response = await http.post(path, json=body)
            status: int | str = response.status_code
            if status == 200:
                good = good_segments(kind, sources, response.json(), bad)
            else:
                bad.append(f"{kind} HTTP {status}: {response.text[:300]}")
        except httpx.HTTPError as exc:
            status = type(exc).__name__
            bad.append(f"{kind} {status}: {exc}")
        seconds = clock() - started
        samples.append(
            {
                "kind": kind,
                "start": started,
                "seconds": seconds,
                "status": status,
                "segments": len(sources),
                "good": good,
            }
        )
        n += CLIENTS


def kill_mid_answer(victim: ModelServer, seconds: float = 5) -> dict[str, Any]:
    """SIGKILL the victim as soon as it is streaming answers (or after `seconds` regardless);
    its counts just before."""
    deadline = time.monotonic() + seconds
    while True:
        calls = victim.stats()
        if calls["requests"] > calls["answered"] or time.monotonic() > deadline:
            victim.kill()
            return calls


async def outage(victim: ModelServer, clock: Callable[[], float], length: float) -> dict[str, Any]:
    """SIGKILL the victim at a third of the run and start it again on its port at two thirds."""
    await asyncio.sleep(length / 3 - clock())
    before = await asyncio.to_thread(kill_mid_answer, victim)
    killed = clock()
    await asyncio.sleep(2 * length / 3 - clock())
    restarted = clock()
    await asyncio.to_thread(victim.start)
    return {
        "killed_s": killed,
        "restarted_s": restarted,
        "ready_s": clock(),
        "calls_before": before,
    }


async def drive(url: str, victim: ModelServer, length: float) -> dict[str, Any]:
    """The clients and the outage, on one clock that starts with the run."""
    zero = time.monotonic()
    clock = lambda: time.monotonic() - zero  # noqa: E731
    samples: list[dict[str, Any]] = []
    bad: list[str] = []
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as http:
        clients = [client(http, n, clock, length, samples, bad) for n in range(CLIENTS)]
        *_, events = await asyncio.gather(*clients, outage(victim, clock, length))
    return {"samples": samples, "bad": bad, "outage": events, "seconds": clock()}


def settle(url: str, seconds: float = 15) -> list[dict[str, Any]]:
    """The pool as /health sees it once the load is over: every in-flight count back to 0?"""
    deadline = time.monotonic() + seconds
    while True:
        servers = httpx.get(f"{url}/health", timeout=10).json()["backends"]["translate"]["servers"]
        if all(s["in_flight"] == 0 and s["up"] for s in servers) or time.monotonic() > deadline:
            return servers
        time.sleep(0.2)


def summary(run: dict[str, Any], length: float) -> dict[str, Any]:
    """Counts and latencies of one load run."""
    samples, events = run["samples"], run["outage"]
    window = [s for s in samples if events["killed_s"] <= s["start"] < events["restarted_s"]]
    sent, good = sum(s["segments"] for s in samples), sum(s["good"] for s in samples)
    return {
        "duration_s": length,
        "wall_s": round(run["seconds"], 1),
        "clients": CLIENTS,
        "items": ITEMS,
        "slots": SLOTS,
        "call_ms": round(CALL_SECONDS * 1000),
        "requests": len(samples),
        "answered": sum(s["status"] == 200 for s in samples),
        "statuses": dict(Counter(str(s["status"]) for s in samples)),
        "segments": sent,
        "translated": good,
        "lost": sent - good,
        "bad_examples": run["bad"][:8],
        "latency_ms": percentiles([s["seconds"] for s in samples]),
        "outage_latency_ms": percentiles([s["seconds"] for s in window]),
        "outage_requests": len(window),
        "by_kind": {
            kind: percentiles([s["seconds"] for s in samples if s["kind"] == kind])
            for kind in KINDS
        },
        "outage": {k: round(v, 2) if isinstance(v, float) else v for k, v in events.items()},
    }


def load(env: dict[str, str]) -> dict[str, Any]:
    """The load run against the service that `env` selects."""
    length = duration()
    with ModelServer(SLOTS, CALL_SECONDS) as first, ModelServer(SLOTS, CALL_SECONDS) as second:
        servers = [first, second]
        victim = int(os.environ.get("VICTIM", "1"))  # the second by default, as in issue #24
        settings = {
            "DRAGOMAN_BACKEND": "llama-server",
            "DRAGOMAN_BASE_URLS": ",".join(s.base_url for s in servers),
            "DRAGOMAN_MEMORY": "false",  # every segment goes to a model server
            **env,
        }
        with dragoman_serve(settings) as (url, process):
            harness = time.process_time()
            run = asyncio.run(drive(url, servers[victim], length))
            harness = time.process_time() - harness
            pool = settle(url)
            service_cpu = cpu_seconds(process.pid)
        out = summary(run, length)
        calls = [s.stats() for s in servers]
    killed = out["outage"]["calls_before"]
    # The victim's two lives: its counts up to the kill, and those of the process started again.
    calls[victim] = {k: round(v + calls[victim][k], 1) for k, v in killed.items()}
    calls[victim]["before_kill"] = killed["requests"]
    cpu = {"service": service_cpu, "clients": round(harness, 1)}
    return {**out, "victim": victim, "servers": calls, "pool_after": pool, "cpu_s": cpu}


def run() -> dict[str, Any]:
    """The load run on this tree; /health under a document job on this tree and on $BEFORE."""
    before = os.environ.get("BEFORE", loop_health.BEFORE)
    result: dict[str, Any] = {"date": datetime.date.today().isoformat(), "machine": machine()}
    result["load"] = load({})
    result["health"] = {"now": loop_health.measure({})}
    result["health"]["now"]["revision"] = "this tree"
    if before:
        with code_of(before) as env:
            result["health"]["before"] = {**loop_health.measure(env), "revision": before}
    return result


if __name__ == "__main__":
    from .common import table
    from .reliability_page import render

    data = run()
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w") as out:
            json.dump(data, out, indent=2)
    print("\n".join(render(data, table)))
