"""The grammar benchmark's part of docs/benchmarks.md: tables side by side, and the goals of #14."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

JFLEG = ("JFLEG dev", "JFLEG test")
SPANS = ("CWEB-G", "CWEB-S", "GMEG wiki")


def _name(row: dict[str, Any]) -> str:
    every = ", every line" if row["lines"] == "all" else ""
    return row["checker"] + every + (f" ({row['model']})" if row["model"] else "")


def _lines(row: dict[str, Any], sets: tuple[str, ...]) -> str:
    return " / ".join(str(row["sets"][s]["lines"]) for s in sets)


def _met(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def _jfleg_table(r: dict[str, Any], table: Callable) -> str:
    return table(
        [
            "checker",
            "lines (dev / test)",
            "dev: erroneous flagged",
            "dev: refs flagged",
            "test: erroneous flagged",
            "test: refs flagged",
        ],  # fmt: skip
        [
            [_name(row), _lines(row, JFLEG)]
            + [row["sets"][s][k] for s in JFLEG for k in ("recall", "refs_flagged")]
            for row in r["rows"]
        ],
    )


def _span_table(r: dict[str, Any], table: Callable) -> str:
    return table(
        ["set", "checker", "lines", "issues", "P", "R", "F0.5", "unchanged lines flagged"],
        [
            [
                name,
                _name(row),
                x["lines"],
                x["issues"],
                x["precision"],
                x["recall"],
                x["f05"],
                f"{x['false_alarm_rate']} of {x['unchanged_lines']}",
            ]  # fmt: skip
            for name in SPANS
            for row in r["rows"]
            if (x := row["sets"][name])
        ],
    )


def _speed_table(r: dict[str, Any], table: Callable) -> str:
    return table(
        [
            "checker",
            "words",
            "s / 1,000 words",
            "peak MB (bench process): RSS / PSS",
            "peak MB (llama-server): RSS / PSS",
        ],
        [
            [
                x["checker"],
                x["words"],
                x["s_per_1000_words"],
                _memory(x.get("peak_mb"), x.get("peak_pss_mb")),
                _memory(x.get("server_peak_mb"), x.get("server_peak_pss_mb")),
            ]
            for x in r["speed"]
        ],
    )


def _memory(rss: int | None, pss: int | None) -> str:
    return "–" if rss is None else f"{rss} / {pss}" if pss is not None else str(rss)


def _row(r: dict[str, Any], checker: str, model: str, lines: str = "sample") -> dict[str, Any]:
    return next(
        x
        for x in r["rows"]
        if x["checker"] == checker and x["model"] == model and x["lines"] == lines
    )


def _goals(r: dict[str, Any], passive: list[dict[str, Any]] | None) -> list[str]:
    model = next(x["model"] for x in r["rows"] if x["model"])
    both, alone, harper = (_row(r, "combined", model), _row(r, "model alone", model),
                           _row(r, "Harper alone", ""))  # fmt: skip
    jfleg = [both["sets"][s] for s in JFLEG]
    jfleg_ok = all(x["recall"] >= 0.70 and x["refs_flagged"] <= 0.05 for x in jfleg)
    f = {
        s: (both["sets"][s]["f05"], harper["sets"][s]["f05"], alone["sets"][s]["f05"])
        for s in ("CWEB-G", "CWEB-S")
    }
    cweb_ok = all(c > max(h, m) for c, h, m in f.values())
    shown = sum(x["ungrounded_shown"] for row in r["rows"] for x in row["sets"].values())
    shown += sum(x["ungrounded_shown"] for x in r["speed"])
    out = [
        f"- JFLEG erroneous-sentence recall ≥ 0.70 with ≤ 0.05 of references flagged (combined, {model}): "
        + "; ".join(
            f"{s.split()[1]} {x['recall']} with {x['refs_flagged']}"
            for s, x in zip(JFLEG, jfleg, strict=True)
        )
        + f" — {_met(jfleg_ok)}.",
        "- CWEB span F0.5 of the combined checker above Harper alone and the model alone (same lines): "
        + "; ".join(f"{s} {c} vs {h} and {m}" for s, (c, h, m) in f.items())
        + f" — {_met(cweb_ok)}.",
    ]
    crowd = next((x for x in passive or [] if x["file"].startswith("passivepy_crowd")), None)
    if crowd:
        p, rec = crowd["parse"]["precision"], crowd["parse"]["recall"]
        out.append(
            f"- Passive voice P ≥ 0.97 and R ≥ 0.97 on the PassivePy crowd set: P {p}, R {rec} — {_met(p >= 0.97 and rec >= 0.97)}."
        )
    out.append(
        f"- 0 ungrounded issues shown, over every set and document above: {shown} — {_met(shown == 0)}."
    )
    return out


def render(r: dict[str, Any], passive: list[dict[str, Any]] | None, table: Callable) -> list[str]:
    """Section 4's grammar part: JFLEG, span detection, speed and memory, the goals."""
    s, ss, n = r["sample"], r["server_sample"], r["lines"]
    dropped = {
        _name(row): sum(x["dropped_ungrounded"] for x in row["sets"].values())
        for row in r["rows"] if row["model"]
    }  # fmt: skip
    return [
        "### Grammar: Harper alone, the model alone, and both",
        "",
        "Each line is proofread on its own through `proofread` (checks grammar and style; passive voice off; "
        "default level, so picky rules are hidden). A line is *flagged* when any issue is shown; Harper alone "
        "includes Dragoman's own doubled-punctuation rule. *Model alone* shows only the model's edits, with "
        "Harper replaced by a linter that finds nothing, so no model edit yields to a Harper lint; the model alone "
        "and the combined checker share one corrector that remembers its answers, so they see the same corrections. "
        "Rows with a model are as shipped: the preset's language-model check is on, so a model edit or a spelling "
        "flag is shown only when the language model (Gemma 3 270M in-process, scoring the sentence as it stands and "
        "with each of the first three suggestions) finds one suggestion likelier by `verify_margin` (2 nats, chosen "
        "on JFLEG dev). *Unchecked* rows are the same checkers without that check. "
        f"The rows with a model use the first {s['jfleg']} lines of each JFLEG split and the first {s['span']} of "
        f"CWEB-G, CWEB-S and GMEG wiki ({ss['jfleg']} and {ss['span']} for SmolLM2, which takes about a second a line); "
        "Harper alone is scored on those lines and on every line "
        + f"({', '.join(f'{k} {v}' for k, v in n.items())}).",
        "",
        "JFLEG (learner English; tokenised in the corpus, detokenised with sacremoses before checking): a line is "
        "erroneous when its first reference differs from it beyond whitespace; *refs flagged* is the share of "
        "first references with an issue, the false alarm rate.",
        "",
        _jfleg_table(r, table),
        "",
        "Span-level detection: an issue is right when its character span overlaps a gold edit, and a gold edit is found "
        "when an issue overlaps it. Gold edits are ERRANT's alignment of the source with each correction (both "
        "tokenised by ERRANT's spaCy; an insertion is anchored on the next token, as Dragoman anchors its own). "
        "CWEB has two annotators and GMEG four references: each line is scored against the one that gives the best "
        "running F0.5, as ERRANT's `compare_m2` does. GMEG is tokenised in the corpus and detokenised like JFLEG. "
        "*Unchanged lines flagged*: the share of lines that no annotator changed that get an issue.",
        "",
        _span_table(r, table),
        "",
        "Speed and memory on one document of CWEB-G lines (five to a paragraph), checked whole; peak resident "
        "memory sampled every 50 ms while it is checked (the bench process holds every model it has loaded before). "
        "RSS counts every resident page of the process; PSS counts a page shared with another mapping or process "
        "in proportion, so the GGUF that the verifier maps a second time is counted once.",
        "",
        _speed_table(r, table),
        "",
        "Model answers dropped as ungrounded (an answer about a sentence that was not sent, or an edit that does not map "
        "onto the input), per row (the rows of a model share its answers): "
        + "; ".join(f"{k}: {v}" for k, v in dropped.items())
        + "."
        + (f" SmolLM2 on llama-server was not run: {r['skipped']}." if r.get("skipped") else ""),
        "",
        "Goals of issue #14:",
        "",
        *_goals(r, passive),
        "",
    ]
