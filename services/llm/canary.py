"""One real decode of the embedded engine in a child process, before llama.cpp is loaded into
ours: a build this CPU cannot run (SIGILL) then fails in one clear line, not mid-request."""

from __future__ import annotations

import hashlib
import importlib.util
import platform
import signal
import subprocess
import sys
from pathlib import Path

from ..errors import ConfigError, EngineCrashed

# The instruction sets llama.cpp's CPU kernels are compiled for, as /proc/cpuinfo names them.
CPU_FLAGS = (
    "sse4_2", "avx", "avx2", "fma", "f16c", "avx_vnni", "avx512f", "avx512bw", "avx512vl",
    "avx512_vnni", "avx512_bf16", "amx_tile", "amx_int8", "amx_bf16",
)  # fmt: skip
# Loading a 270M model and decoding a few tokens takes about a second; a hang is a failure too.
TIMEOUT = 300.0
# A few prompt tokens and a few generated ones: both the batched and the single-row kernels run.
_PROMPT = "Translate into German: The house is small."


def cpu() -> tuple[str, list[str]]:
    """This CPU's model name and which of CPU_FLAGS it has."""
    try:
        info = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.processor() or platform.machine(), []
    fields = dict(line.split(":", 1) for line in info.split("\n\n")[0].splitlines() if ":" in line)
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    flags = set(fields.get("flags", "").split())
    return fields.get("model name", platform.machine()), [f for f in CPU_FLAGS if f in flags]


def _library() -> Path:
    """The folder of the llama.cpp libraries that llama-cpp-python loads (found, not imported:
    importing it opens handles that only loading a model closes again)."""
    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or spec.origin is None:
        raise ConfigError("llama-cpp-python is not installed; run `make run`")
    return Path(spec.origin).parent / "lib"


def _fingerprint(model: Path, threads: int) -> str:
    """What a verdict holds for: the libraries, the model file, the thread count and the CPU."""
    name, flags = cpu()
    parts = [str(threads), *flags, name]
    for path in [model, *sorted(_library().glob("*.so*"))]:
        stat = path.stat()
        parts.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _explain(returncode: int, model: Path, output: str) -> str:
    """One line on why the child failed, and what to do."""
    name, flags = cpu()
    where = f"the llama.cpp in {_library()}"
    if returncode < 0:
        sig = signal.Signals(-returncode)
        how = f"llama.cpp died of {sig.name} ({signal.strsignal(sig) or sig.name}) in a test decode"
    else:
        last = output.strip().splitlines()[-1:] or ["no output"]
        how = f"a test decode of llama.cpp failed (exit {returncode}: {last[0]})"
    return (
        f"{how} of {model.name}: this CPU ({name}; {' '.join(flags) or 'no SIMD flags read'}) "
        f"cannot run {where}, built for another CPU or with instructions that fault here. "
        "Rebuild it on this machine: `make run` rebuilds it when the CPU or the build settings "
        "change (README: Machines)."
    )


def decode_in_child(model: Path, threads: int, timeout: float = TIMEOUT) -> None:
    """Load `model` and decode a few tokens in a child process; raise EngineCrashed if it dies."""
    command = [sys.executable, "-m", __name__, str(model), str(threads)]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        raise EngineCrashed(
            f"a test decode of {model.name} did not finish in {timeout:.0f} s: llama.cpp hangs "
            "on this machine (README: Machines)"
        ) from None
    if done.returncode != 0:
        raise EngineCrashed(_explain(done.returncode, model, done.stderr))


def ensure_decodes(model: Path, threads: int, verdicts: Path) -> None:
    """Run decode_in_child once per library build, model, thread count and CPU; a passed check
    is remembered in `verdicts` (a folder), a failed one never."""
    stamp = verdicts / f"decodes-{_fingerprint(model, threads)}"
    if stamp.exists():
        return
    decode_in_child(model, threads)
    verdicts.mkdir(parents=True, exist_ok=True)
    stamp.touch()


def _decode(model: str, threads: int) -> None:
    """The child's work: load the model and decode, as the service will."""
    from llama_cpp import Llama

    llama = Llama(model_path=model, n_ctx=256, n_batch=64, n_threads=threads, verbose=False)
    llama.create_completion(_PROMPT, max_tokens=4, temperature=0.0)
    llama.close()


if __name__ == "__main__":
    _decode(sys.argv[1], int(sys.argv[2]))
