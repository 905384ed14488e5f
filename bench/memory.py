"""5. Memory and start-up of `dragoman serve` with the embedded model: each part's resident size,
the service when ready and after a page and an e-mail, and the first request of each kind.

`BEFORE=<git revision>` measures that revision's code with the same benchmark in the same run
(a worktree linked in ahead of the installed package), so that a change shows side by side.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import httpx

from tests.fakes import free_port

from .common import CORPUS, ROOT, memory_mb, peak_memory
from .served import TOKEN, code_of, wait_ready
from .speed import first_post_on_stream

STREAM_RUNS = 5
SHORT_MAIL = (
    "Hi Sam,\n\nThe report were sent yesterday. Can you has a look before Friday?\n\nAlex\n"
)


def email_of_words(words: int) -> str:
    """An e-mail of about `words` words of real web text with real errors (CWEB-G, in order)."""
    lines, count = [], 0
    source = CORPUS / "grammar" / "cweb" / "CWEB-G.test.source"
    for line in source.read_text(encoding="utf-8").splitlines():
        if count >= words:
            break
        if line.strip():
            lines.append(line.strip())
            count += len(line.split())
    paragraphs = [" ".join(lines[i : i + 5]) for i in range(0, len(lines), 5)]
    return "Hi team,\n\n" + "\n\n".join(paragraphs) + "\n\nBest,\nAlex\n"


def components(env: dict[str, str]) -> list[dict[str, Any]]:
    """bench/footprint.py in a process of its own: each part's RSS and PSS as it loads."""
    done = subprocess.run([sys.executable, "-m", "bench.footprint"], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def settled(pid: int, seconds: float = 5) -> tuple[int, int]:
    """RSS and PSS once they stop moving: the service hands free pages back after a request."""
    deadline, last = time.monotonic() + seconds, memory_mb(pid)
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = memory_mb(pid)
        if abs(now[0] - last[0]) <= 1:
            return now
        last = now
    return last


def _proofread(url: str, text: str) -> dict[str, float]:
    """Seconds to the first line of /v1/proofread/stream, and to its end."""
    started, first = time.perf_counter(), None
    with httpx.stream("POST", f"{url}/v1/proofread/stream", json={"text": text, "format": "email"},
                      headers={"Authorization": f"Bearer {TOKEN}"}, timeout=900) as response:  # fmt: skip
        response.raise_for_status()
        for line in response.iter_lines():
            if line and first is None:
                first = time.perf_counter() - started
    return {"first_s": round(first or 0, 2), "all_s": round(time.perf_counter() - started, 2)}


def serve(posts: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Start the real service; time it to ready, then the first request of each kind; memory
    when ready, after a forum page, after a 1,000-word e-mail, and the peak."""
    port, url = free_port(), ""
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "DRAGOMAN_TOKEN": TOKEN, "DRAGOMAN_MEMORY": "false", "DRAGOMAN_DATA_DIR": data, **env}  # fmt: skip
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "dragoman.services.cli", "serve", "--port", str(port)],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            with peak_memory([process.pid]) as peak:
                url = f"http://127.0.0.1:{port}"
                wait_ready(f"{url}/health", process)
                out: dict[str, Any] = {"startup_s": round(time.perf_counter() - started, 2)}
                out["ready"] = settled(process.pid)
                runs = [first_post_on_stream(url, TOKEN, posts) for _ in range(STREAM_RUNS)]
                out["after_page"] = settled(process.pid)
                out["first_proofread"] = _proofread(url, SHORT_MAIL)
                out["mail"] = _proofread(url, email_of_words(1000))
                out["after_mail"] = settled(process.pid)
            out["peak"] = peak[0]
        finally:
            process.terminate()
            process.wait(timeout=30)
    out["stream"] = {
        "posts": len(posts),
        "runs": len(runs),
        "first_after_start_s": runs[0]["first_s"],
        "first_s": statistics.median(r["first_s"] for r in runs),
        "first_max_s": max(r["first_s"] for r in runs),
        "all_s": statistics.median(r["all_s"] for r in runs),
    }
    return out


def measure(posts: list[str], revision: str | None) -> dict[str, Any]:
    """One revision's component table and served figures, as shipped and without the verifier."""
    with code_of(revision) as env:
        return {
            "revision": revision or "this tree",
            "components": components(env),
            "shipped": serve(posts, env),
            "without_verifier": serve(posts, {**env, "DRAGOMAN_PROOFREAD_VERIFIER": "off"}),
        }


def run(posts: list[str]) -> dict[str, Any]:
    """This tree, and the revision BEFORE names (if any), in one run."""
    before = os.environ.get("BEFORE")
    result = {"now": measure(posts, None)}
    if before:
        result["before"] = measure(posts, before)
    return result
