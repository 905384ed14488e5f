"""§13: every public path fed each family of hostile text at sizes `make test` cannot afford:
seconds and peak memory of one request at 25,000 and 100,000 characters (the proofreading limit),
the pseudo backend, the service in this process."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pydantic import SecretStr

from dragoman.services.api.app import create_app
from dragoman.services.settings import Settings
from tests.bounds import MB, peak_memory
from tests.hostile import FAMILIES, FINE, PATHS

SIZES = (25_000, 100_000)
SECONDS_GOAL = 2.0
MEGABYTES_GOAL = 300


def _one(client: TestClient, path: str, text: str) -> dict[str, Any]:
    with peak_memory() as peak:
        started = time.perf_counter()
        answer = PATHS[path](client, text)
        seconds = time.perf_counter() - started
    return {"status": answer.status_code, "s": round(seconds, 3), "mb": round(peak.growth / MB)}


def run() -> dict[str, Any]:
    """Each path with each family at each size."""
    token = "bench-growth-token"
    cells = []
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            backend="pseudo",
            data_dir=Path(folder),
            warm_up=False,
            allowed_hosts=["testserver"],
            token=SecretStr(token),
        )
        headers = {"Authorization": f"Bearer {token}"}
        with TestClient(create_app(settings), headers=headers) as client:
            for path in PATHS:
                for family, make in FAMILIES.items():
                    PATHS[path](client, make(1_000))  # loads what the path needs, once
                    for size in SIZES:
                        cell = _one(client, path, make(size))
                        cells.append({"path": path, "family": family, "size": size, **cell})
                        print(path, family, size, cell, flush=True)
            limits = _at_the_limits(client, settings)
    return {"cells": cells, "limits": limits, "cpu": _cpu()}


def _at_the_limits(client: TestClient, settings: Settings) -> list[dict[str, Any]]:
    """Translation requests as large as the limits let them be (proofreading's limit is the
    large size of the table)."""
    line = FAMILIES["one long line"]
    # The text is ASCII: a character a byte, and room left for the JSON around it.
    per_item = min((settings.max_body_bytes - 100_000) // settings.max_items, settings.max_chars)
    cases = {
        f"one text of DRAGOMAN_MAX_CHARS ({settings.max_chars:,} characters)": {
            "q": line(settings.max_chars), "target": "en"},
        f"DRAGOMAN_MAX_ITEMS texts ({settings.max_items} × {per_item:,} characters, a body "
        f"just under DRAGOMAN_MAX_BODY_BYTES)": {
            "q": [line(per_item)] * settings.max_items, "target": "en"},
    }  # fmt: skip
    out = []
    for name, body in cases.items():
        with peak_memory() as peak:
            started = time.perf_counter()
            answer = client.post("/v1/translate", json=body)
            seconds = time.perf_counter() - started
        out.append({"case": name, "status": answer.status_code, "s": round(seconds, 2),
                    "mb": round(peak.growth / MB)})  # fmt: skip
        print(out[-1], flush=True)
    return out


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def render(r: dict[str, Any], table: Any) -> list[str]:
    """§13 of docs/benchmarks.md."""
    large, small = SIZES[-1], SIZES[0]
    cell = {(c["path"], c["family"], c["size"]): c for c in r["cells"]}
    rows = []
    for path in dict.fromkeys(c["path"] for c in r["cells"]):
        at = {f: cell[(path, f, large)] for f in FAMILIES if (path, f, large) in cell}
        slow = max(at, key=lambda f: at[f]["s"])
        heavy = max(at, key=lambda f: at[f]["mb"])
        ratio = at[slow]["s"] / max(cell[(path, slow, small)]["s"], 0.001)
        over = [f for f in at if at[f]["s"] > SECONDS_GOAL]
        statuses = sorted({str(c["status"]) for c in at.values()})
        rows.append([
            f"`{path}`", f"{at[slow]['s']} ({slow})", f"{ratio:.1f}×", f"{at[heavy]['mb']} ({heavy})",
            ", ".join(over) or "none", " ".join(statuses),
        ])  # fmt: skip
    bad = [c for c in r["cells"] if c["status"] not in FINE]
    return [
        "",
        "## 13. Growth at large sizes",
        "",
        f"Every public path fed each of the {len(FAMILIES)} families of hostile text of "
        "`tests/hostile.py` (the growth tests send them at 1,000–16,000 characters) at "
        f"{small:,} and {large:,} characters, the largest text one proofreading request may "
        f"hold; pseudo backend, the service in the benchmark's process, on {r['cpu']}. Seconds "
        "are one request's wall time; memory is how far the resident set peaked above its size "
        f"before the request. Goals: under {SECONDS_GOAL:g} s for work that is linear in its "
        f"input, at most {MEGABYTES_GOAL} MB for any request. The slowest family of each path "
        f"is named, with its time at {large:,} over its time at {small:,} (linear work: {large // small}×).",
        "",
        table(
            [
                "path",
                f"slowest at {large:,} (s)",
                f"growth ×{large // small} input",
                "most memory (MB)",
                f"families over {SECONDS_GOAL:g} s",
                "statuses",
            ],
            rows,
        ),  # fmt: skip
        "",
        f"Answers other than {sorted(FINE)}: {len(bad)}.",
        "",
        "Translation at its limits, `/v1/translate` with the same backend:",
        "",
        table(
            ["request", "status", "seconds", "peak memory (MB)"],
            [[x["case"], x["status"], x["s"], x["mb"]] for x in r.get("limits", [])],
        ),  # fmt: skip
    ]
