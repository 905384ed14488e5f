"""language_tool_python's own test suite against Dragoman: how many of its tests pass, and why each
failure fails, by the reasons recorded in lt_suite.toml.

The suite (GPL-3.0, left out of the sdist) is fetched by `make lt-suite-tests` into the folder
$DRAGOMAN_TEST_LT_SUITE; it runs in a child pytest with the plugin tests/lt_suite.py, which points every
LanguageTool the suite builds at a Dragoman server on loopback (pseudo backend).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import tomllib
import xml.etree.ElementTree as ET
from collections import Counter
from importlib.metadata import version
from pathlib import Path
from typing import Any

from platformdirs import user_cache_dir

from .common import ROOT, timer

REASONS = Path(__file__).with_name("lt_suite.toml")
SUITE = Path(
    os.environ.get("DRAGOMAN_TEST_LT_SUITE")
    or Path(user_cache_dir("dragoman")) / "language_tool_python" / version("language-tool-python")
)


def suite_folder() -> Path | None:
    """Where `make lt-suite-tests` put the suite, if it did."""
    return SUITE if (SUITE / "ltp_tests").is_dir() else None


def fingerprint(folder: Path) -> str:
    """A short hash of the suite's files, so a figure names the tests it came from."""
    digest = hashlib.sha256()
    for path in sorted((folder / "ltp_tests").rglob("*.py")):
        digest.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def outcomes(report: Path) -> dict[str, str]:
    """Each test's outcome (passed, failed, skipped) from pytest's JUnit XML."""
    result = {}
    for case in ET.parse(report).iter("testcase"):
        module = case.get("classname", "").removeprefix("ltp_tests.")
        kinds = {child.tag for child in case}
        outcome = (
            "failed"
            if kinds & {"failure", "error"}
            else "skipped"
            if "skipped" in kinds
            else "passed"
        )
        result[f"{module}::{case.get('name')}"] = outcome
    return result


def run_suite(folder: Path) -> tuple[dict[str, str], float]:
    """Run the suite in a child pytest with the plugin; its outcomes and the seconds it took."""
    with tempfile.TemporaryDirectory() as scratch, timer() as took:
        report = Path(scratch) / "junit.xml"
        command = [sys.executable, "-m", "pytest", "-p", "tests.lt_suite", "-p", "no:cacheprovider",
                   "--rootdir", str(folder), "--tb=native", "-q", f"--junitxml={report}", "ltp_tests"]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            command, cwd=folder, env=env, capture_output=True, text=True, timeout=900
        )
        if not report.exists():  # pytest itself failed (the plugin, collection): say how
            raise RuntimeError(f"the suite did not run: {(done.stderr or done.stdout)[-2000:]}")
        found = outcomes(report)
    return found, round(took[0], 1)


def run() -> dict[str, Any]:
    """Run the suite and explain each failure."""
    folder = suite_folder()
    if folder is None:
        return {
            "missing": "language_tool_python's tests are not fetched (`make lt-suite-tests` needs GitHub)"
        }
    found, seconds = run_suite(folder)
    known = tomllib.loads(REASONS.read_text(encoding="utf-8"))["failures"]
    failed = sorted(t for t, o in found.items() if o == "failed")

    def explained(test: str) -> dict[str, str] | None:
        return known.get(re.sub(r"\[.*\]$", "", test), None)  # parameters share their test's reason

    counts = Counter(found.values())
    source = folder / "SOURCE"
    return {
        "version": version("language-tool-python"),
        "source": source.read_text(encoding="utf-8").split("\n")[0] if source.exists() else "",
        "tests": len(found),
        "passed": counts["passed"],
        "failed": counts["failed"],
        "skipped": counts["skipped"],
        "seconds": seconds,
        "suite": fingerprint(folder),
        "failures": [{"test": t, **e} for t in failed if (e := explained(t))],
        "unexplained": [t for t in failed if not explained(t)],
        "passing_now": sorted(t for t in known if found.get(t) == "passed"),
    }


def render(result: dict[str, Any], table: Any) -> list[str]:
    """The section of docs/benchmarks.md."""
    out = ["## 8. language_tool_python's own test suite", ""]
    if "missing" in result:
        return [*out, f"Not run: {result['missing']}.", ""]
    categories = tomllib.loads(REASONS.read_text(encoding="utf-8"))["categories"]
    by_category = Counter(f["category"] for f in result["failures"])
    out += [
        f"language_tool_python {result['version']}'s tests (files hashed `{result['suite']}`; from {result['source']}), "
        "unchanged, run by `make lt-suite` "
        "with the plugin `tests/lt_suite.py`, which points every `LanguageTool` they build at Dragoman on "
        f"loopback (pseudo backend): **{result['passed']} of {result['tests']} pass**, {result['failed']} fail, "
        f"{result['skipped']} skipped, in {result['seconds']} s. Why the failures fail (reasons: `bench/lt_suite.toml`):",
        "",
        table(
            ["failures", "category", "why"],
            [[n, c, categories[c]] for c, n in by_category.most_common()],
        ),
        "",
        table(
            ["test", "category", "what differs"],
            [[f"`{f['test']}`", f["category"], f["reason"]] for f in result["failures"]],
        ),
        "",
    ]
    if result["unexplained"]:
        out += [f"Failing with no recorded reason: {', '.join(result['unexplained'])}.", ""]
    if result["passing_now"]:
        out += [f"Recorded as failing but passing now: {', '.join(result['passing_now'])}.", ""]
    return out


if __name__ == "__main__":  # `make lt-suite`: the figures and reasons, without rewriting the docs
    from .common import table

    outcome = run()
    print("\n".join(render(outcome, table)))
    sys.exit(1 if outcome.get("unexplained") else 0)
