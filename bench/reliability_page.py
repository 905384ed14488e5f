"""docs/benchmarks.md §10: the load run with a pool server killed and restarted, and /health's
latency while a large document translates, before and after, from one run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _ms(p: dict[str, Any]) -> list[Any]:
    return [p["n"], p["p50"], p["p95"], p["p99"], p["max"]]


def _setup(r: dict[str, Any]) -> str:
    """What the load run did."""
    o, victim = r["outage"], r["victim"] + 1
    streaming = o["calls_before"]["requests"] - o["calls_before"]["answered"]
    return (
        "**Load with a server killed.** `dragoman serve` with `DRAGOMAN_BACKEND=llama-server` and "
        "`DRAGOMAN_BASE_URLS` naming two model servers (`bench/model_server.py`, each its own "
        f"process, shaped like llama-server: `/props` says {r['slots']} slots, `/tokenize`, answers "
        f"streamed as server-sent events in HTTP/1.1 chunks over {r['call_ms']} ms), "
        "answering with the pseudo backend's transform; translation memory off, so every "
        f"segment reaches a server; other settings as shipped. {r['clients']} clients, each sending "
        f"its next request of {r['items']} segments as soon as its last was answered, in turn to "
        "Dragoman's `/v1/translate` (text), `/v1/translate` (`format=html`) and LibreTranslate's "
        f"`/translate`, for {r['duration_s']:g} s. Server {victim} was SIGKILLed at "
        f"{o['killed_s']} s, {streaming} of its answers streaming, and started again on its port at {o['restarted_s']} s (answering from "
        f"{o['ready_s']} s). A segment counts as translated when it came back not `failed` and "
        "equal to the pseudo transform of its source, tags and all."
    )


def _load(r: dict[str, Any], table: Callable) -> list[str]:
    other = ", ".join(f"{k}: {v}" for k, v in r["statuses"].items() if k != "200") or "none"
    latency = [["all requests", *_ms(r["latency_ms"])]]
    latency.append(
        [f"started while server {r['victim'] + 1} was down", *_ms(r["outage_latency_ms"])]
    )
    latency += [[kind, *_ms(p)] for kind, p in r["by_kind"].items()]
    servers = [
        [n + 1, s["requests"], s.get("before_kill", "—"),
         s["requests"] - s["before_kill"] if "before_kill" in s else "—", s["tokenized"], s["cpu_s"]]
        for n, s in enumerate(r["servers"])
    ]  # fmt: skip
    after = ", ".join(
        f"server {n + 1} {'up' if s['up'] else 'down'}, {s['in_flight']} in flight"
        for n, s in enumerate(r["pool_after"])
    )
    out = [
        _setup(r),
        "",
        table(
            ["requests", "answered 200", "other answers", "segments sent", "translated", "lost"],
            [[r["requests"], r["answered"], other, r["segments"], r["translated"], r["lost"]]],
        ),
        "",
        "Latency of a request, ms:",
        "",
        table(["requests", "count", "p50", "p95", "p99", "max"], latency),
        "",
        table(["server", "model calls", "before the kill", "after the restart", "texts tokenized", "CPU s"], servers),
        "",
        f"CPU seconds over the {r['wall_s']} s until the last answer: the service "
        f"{r['cpu_s']['service']} ({r['cpu_s']['service'] / max(1, r['segments']) * 1000:.0f} ms a segment), "
        f"the clients {r['cpu_s']['clients']}, the model servers as above, all on the same cores. "
        f"The pool after the run, as `/health` reports it: {after}.",
    ]  # fmt: skip
    if r["bad_examples"]:
        out += ["", "What went wrong, first cases:", ""]
        out += [f"- `{line[:200]}`" for line in r["bad_examples"][:5]]
    met = "**met**" if r["lost"] == 0 else "**not met**"
    goal = f"Goal of issue #24, 0 segments lost: {r['lost']} lost — {met}; p99 latency {r['latency_ms']['p99']} ms."  # fmt: skip
    return [*out, "", goal]


def _health(h: dict[str, Any], table: Callable) -> list[str]:
    runs = [h["before"], h["now"]] if "before" in h else [h["now"]]
    cells: dict[str, Callable[[dict[str, Any]], Any]] = {
        "idle: /health requests": lambda m: m["idle_ms"]["n"],
        "idle: p50 / p99 / max, ms": lambda m: _three(m["idle_ms"]),
        "document: job status, seconds": lambda m: f"{m['job']['status']}, {m['job_s']}",
        "document: model calls / texts tokenized": lambda m: (
            f"{m['model_calls']} / {m['tokenized']}"
        ),
        "document: /health requests": lambda m: m["busy_ms"]["n"],
        "document: p50 / p99 / max, ms": lambda m: _three(m["busy_ms"]),
        "document: answers over 100 ms": lambda m: m["busy_over_100ms"],
        "/health failures (idle, document)": lambda m: (
            f"{m['idle_failures']}, {m['busy_failures']}"
        ),
    }
    rows = [[name] + [cell(m) for m in runs] for name, cell in cells.items()]
    now = runs[-1]
    return [
        f"**`/health` while a document translates.** `dragoman serve` as shipped (translation "
        f"memory on) with one model server as above ({now['slots']} slots, {now['call_ms']} ms "
        "an answer); an HTML page of "
        f"{now['paragraphs']:,} unique paragraphs sent to `/v1/documents`; `GET /health` every "
        f"50 ms on a fixed schedule, first {now['baseline_s']:g} s on the idle service, then until "
        "the job is done. "
        "A request that waits shows something holding the event loop."
        + (
            f" `{h['before']['revision']}` is the code before issue #24's work."
            if "before" in h
            else ""
        ),
        "",
        table([""] + [m["revision"] for m in runs], rows),
    ]


def _three(p: dict[str, Any]) -> str:
    return f"{p['p50']} / {p['p99']} / {p['max']}"


def render(r: dict[str, Any], table: Callable) -> list[str]:
    """§10's lines."""
    return [
        "## 10. Reliability under load",
        "",
        f"Run by `python -m bench.run reliability` on {r['date']}, {r['machine']}.",
        "",
        *_load(r["load"], table),
        "",
        *_health(r["health"], table),
        "",
    ]
