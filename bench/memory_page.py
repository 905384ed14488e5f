"""docs/benchmarks.md §5: memory and start-up, this tree beside the revision before, from one run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

READY_GOAL, AFTER_GOAL = 600, 750


def _mb(pair: list[int] | tuple[int, int]) -> str:
    return f"{pair[0]} ({pair[1]})"


def _components(runs: list[dict[str, Any]], table: Callable) -> str:
    """Each part's resident size as it loads, per revision: RSS and PSS, and what it added."""
    rows = []
    for n, part in enumerate(runs[0]["components"]):
        row = [part["part"]]
        for run in runs:
            stages = run["components"]
            now, prev = stages[n], stages[n - 1] if n else {"rss_mb": 0, "pss_mb": 0}
            row += [f"{now['rss_mb']} (+{now['rss_mb'] - prev['rss_mb']})", f"{now['pss_mb']} (+{now['pss_mb'] - prev['pss_mb']})"]  # fmt: skip
        rows.append(row)
    header = ["part, loaded in warm-up's order"]
    for run in runs:
        header += [f"RSS MB, {run['revision']}", f"PSS MB, {run['revision']}"]
    return table(header, rows)


def _buffers(run: dict[str, Any]) -> str:
    """llama.cpp's own report of the buffers it allocated, per part."""
    parts = []
    for stage in run["components"]:
        if stage["buffers"]:
            sizes = ", ".join(f"{kind} {mib:g} MiB" for kind, mib in stage["buffers"])
            parts.append(f"{stage['part']}: {sizes}")
    return "; ".join(parts)


def _served(runs: list[dict[str, Any]], table: Callable) -> str:
    cells = {
        "start-up to ready, s": lambda s: s["startup_s"],
        "when ready, RSS (PSS) MB": lambda s: _mb(s["ready"]),
        "after a forum page (6 posts, 5 times), RSS (PSS) MB": lambda s: _mb(s["after_page"]),
        "after a 1,000-word e-mail proofread too, RSS (PSS) MB": lambda s: _mb(s["after_mail"]),
        "peak, RSS (PSS) MB": lambda s: _mb(s["peak"]),
        "first post, first page after start, s": lambda s: s["stream"]["first_after_start_s"],
        "first post, median of 5 pages, s": lambda s: s["stream"]["first_s"],
        "first proofreading answer after start (short e-mail): first line / all, s": lambda s: (
            f"{s['first_proofread']['first_s']} / {s['first_proofread']['all_s']}"
        ),  # fmt: skip
        "1,000-word e-mail: first line / all, s": lambda s: (
            f"{s['mail']['first_s']} / {s['mail']['all_s']}"
        ),  # fmt: skip
    }
    columns = [(run, kind) for kind in ("shipped", "without_verifier") for run in runs]
    header = [""] + [
        f"{run['revision']}{'' if kind == 'shipped' else ', verifier off'}" for run, kind in columns
    ]
    rows = [[name] + [cell(run[kind]) for run, kind in columns] for name, cell in cells.items()]
    return table(header, rows)


def _goals(now: dict[str, Any], before: dict[str, Any] | None) -> list[str]:
    s = now["shipped"]
    met = lambda ok: "**met**" if ok else "**not met**"  # noqa: E731
    lines = [
        f"- RSS ≤ {READY_GOAL} MB when ready, verifier on: {s['ready'][0]} MB — {met(s['ready'][0] <= READY_GOAL)}.",
        f"- RSS ≤ {AFTER_GOAL} MB after a forum page and a 1,000-word e-mail: {s['after_mail'][0]} MB — {met(s['after_mail'][0] <= AFTER_GOAL)}.",
    ]
    if before:
        b = before["shipped"]
        first, was = s["stream"]["first_s"], b["stream"]["first_s"]
        proof, proof_was = s["first_proofread"]["all_s"], b["first_proofread"]["all_s"]
        lines += [
            f"- First streamed post no slower: {first} s against {was} s (median) — {met(first <= was * 1.1)}.",
            f"- First proofreading answer no slower: {proof} s against {proof_was} s — {met(proof <= proof_was * 1.1)}.",
        ]
    return lines


def render(r: dict[str, Any], table: Callable) -> list[str]:
    """§5's lines."""
    now, before = r["now"], r.get("before")
    runs = [before, now] if before else [now]
    out = [
        "## 5. Memory and start-up",
        "",
        "`dragoman serve` on the embedded default (Gemma 3 270M for translation, proofreading and the "
        "verifier), measured with psutil: RSS counts every resident page, PSS counts a page shared "
        "between mappings or processes once. "
        + (
            f"`{before['revision']}` is the code before this change, run by the same benchmark in the same "
            "run (`BEFORE=<revision> make bench ONLY=serve`)."
            if before
            else ""
        ),
        "",
        "**Each part**, loaded one after another in one process as warm-up loads them "
        "(`bench/footprint.py`); in brackets, what the part added:",
        "",
        _components(runs, table),
        "",
        "llama.cpp's own figures for the buffers it allocates (virtual; a page counts in RSS once "
        "written): " + " | ".join(f"{run['revision']}: {_buffers(run)}" for run in runs) + ".",
        "",
        "**The service**, started as a user starts it, then one forum page translated five times "
        "on `/v1/translate/stream` and a short and a 1,000-word e-mail (CWEB-G text) proofread on "
        "`/v1/proofread/stream`, with and without the verifier:",
        "",
        _served(runs, table),
        "",
        "Goals of issue #23:",
        "",
        *_goals(now, before),
        "",
    ]
    return out
