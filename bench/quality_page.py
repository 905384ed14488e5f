"""docs/benchmarks.md §7: translation quality against direct model calls, from one run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

STATUSES = ("ok", "repaired", "fallback", "failed")


def _difference(d: dict[str, Any]) -> str:
    """A chrF difference with its 95% paired-bootstrap interval and p-value."""
    low, high = d["ci95"]
    if d["difference"] == 0 and low == high == 0:
        return "identical answers"  # sacrebleu's p-value means nothing without a difference
    return f"{d['difference']:+.1f} [{low:+.1f}, {high:+.1f}] p={d['p']:.3f}"


def _slice(row: dict[str, Any]) -> str:
    held = "examples chosen on it" if row.get("tuned_on") else "held out"
    return f"{row['pair']} {row['slice']} ({held})"


def _statuses(counts: dict[str, int]) -> str:
    return "/".join(str(counts.get(s, 0)) for s in STATUSES)


def _answered(answered: dict[str, Any] | None) -> str:
    if not answered or answered["sentences"] == 0:
        return "–"
    return f"{answered['direct_chrf']} / {answered['dragoman_chrf']} ({answered['sentences']})"


def _three_ways(rows: list[dict[str, Any]], table: Callable) -> str:
    return table(
        ["slice", "direct, Dragoman's prompt", "direct, strong prompt", "Dragoman",
         "Dragoman − strong", "Dragoman's prompt − strong", "Dragoman − its prompt direct",
         "BLEU: prompt / strong / Dragoman", "s: prompt / strong / Dragoman", "time ratio",
         "ok/repaired/fallback/failed", "chrF where Dragoman answered: prompt / Dragoman"],
        [[_slice(r), r["direct"]["chrf"], r["strong"]["chrf"], r["dragoman"]["chrf"],
          _difference(r["differences"]["dragoman−strong"]),
          _difference(r["differences"]["direct−strong"]),
          _difference(r["differences"]["dragoman−direct"]),
          f"{r['direct']['bleu']} / {r['strong']['bleu']} / {r['dragoman']['bleu']}",
          f"{r['direct']['seconds']} / {r['strong']['seconds']} / {r['dragoman']['seconds']}",
          r["time_ratio"], _statuses(r["statuses"]), _answered(r.get("answered"))]
         for r in rows],
    )  # fmt: skip


def _examples(rows: list[dict[str, Any]], before: str, table: Callable) -> str:
    return table(
        ["slice", f"Dragoman with {before}'s examples", "Dragoman now", "direct, strong prompt",
         "Dragoman: now − before", f"Dragoman with {before}'s examples − strong",
         f"ok/repaired/fallback/failed with {before}'s"],
        [[_slice(r), r["dragoman_before"]["chrf"], r["dragoman"]["chrf"], r["strong"]["chrf"],
          _difference(r["differences"]["dragoman−dragoman_before"]),
          _difference(r["differences"]["dragoman_before−strong"]),
          _statuses(r["dragoman_before"].get("statuses", {}))]
         for r in rows],
    )  # fmt: skip


def render(result: dict[str, Any], table: Callable) -> list[str]:
    """The section of docs/benchmarks.md for this benchmark."""
    before = result["before"]
    out = [
        "## 7. Translation quality against direct model calls",
        "",
        "FLORES-200 devtest (rows 1–100 and 101–200 for de→en, 1–100 for fr→en) and "
        "Tatoeba (short everyday sentences), translated one by one in three ways: straight to the "
        "model with the prompt of Dragoman's first call and the same token budget (`direct, "
        "Dragoman's prompt`); straight to the model with the prompt a user would write, three "
        "natural sentences per pair of their own (a forum reply, a forum question, a descriptive "
        "sentence; `bench/strong_prompt.toml`, `direct, strong prompt`); and through Dragoman's "
        "`translate_document` with validation and repair (`Dragoman`). Scores are sacrebleu's "
        "chrF; each difference is given with its 95% paired-bootstrap interval (1,000 resamples "
        "of the same sentences for both) and sacrebleu's paired-bootstrap p-value "
        "(`sacrebleu.significance.PairedTest`). Time ratio = Dragoman ÷ direct with its prompt, "
        "timed in halves run in opposite orders. A segment Dragoman gives up on keeps its source "
        "(`failed`). Dragoman's few-shot examples were chosen on the first de→en slice only; the "
        "other slices are held out.",
        "",
    ]
    if result.get("extra"):
        out += [
            "The other pairs (es, ru, zh, ja→en, en→de) have 30 sentences each, too few to show a "
            "2-point difference (see the intervals) and timed over about 20 s per way, so their "
            "time ratios carry a few percent of noise; llama-server (the same GGUF, "
            "`tests/llama_server.py`) runs the 100-sentence de→en slice.",
            "",
        ]
    else:
        out += [
            "Not measured in this run, to keep it under half an hour on two shared cores "
            "(`QUALITY_EXTRA=1` adds them): the other FLORES pairs (es, ru, zh, ja→en, en→de) "
            "and llama-server.",
            "",
        ]
    for name, suite in result["models"].items():
        out += [f"**{name}**", ""]
        if "skipped" in suite:
            out += [f"Not measured: {suite['skipped']}.", ""]
            continue
        rows = suite["flores"] + suite["tatoeba"]
        out += [_three_ways(rows, table), ""]
        changed = [r for r in rows if "dragoman_before" in r]
        if changed:
            out += [
                f'Few-shot examples, {before}\'s (short lines such as "Hello.") against this '
                "tree's (full sentences of several lengths and registers), the rest of Dragoman "
                "as in this tree:",
                "",
                _examples(changed, before, table),
                "",
            ]
    return out
