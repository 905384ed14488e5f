"""Running the real llama.cpp llama-server that `make real-server` builds, for tests and benchmarks."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import httpx
from platformdirs import user_cache_dir

from tests.fakes import free_port
from tests.live import wait_until

CACHE = Path(user_cache_dir("dragoman"))
SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def _built_server() -> Path:
    """Where `make real-server` puts the build for these settings and this CPU (its cache key)."""
    key = subprocess.run(
        [SCRIPTS / "llama-build-key.sh", version("llama-cpp-python"),
         SCRIPTS / "build-llama-server.sh"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    return CACHE / "llama-server" / key / "bin" / "llama-server"


LLAMA_SERVER = Path(os.environ.get("DRAGOMAN_TEST_LLAMA_SERVER") or _built_server())
SMOLLM2 = Path(
    os.environ.get("DRAGOMAN_TEST_SMOLLM2") or CACHE / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
)


class Missing(Exception):
    """llama-server or a model file is not there; the message says why, in one line."""


class Died(AssertionError):
    """llama-server exited while loading its model (its own warm-up decode included)."""

    def __init__(self, returncode: int, log: str) -> None:
        super().__init__(f"llama-server exited ({returncode}): {log[-2000:]}")
        self.returncode = returncode


@dataclass
class LlamaServer:
    """A running llama-server: its own root URL and its process."""

    root: str
    process: subprocess.Popen

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible API."""
        return f"{self.root}/v1"

    def metrics(self) -> dict[str, float]:
        """The server's Prometheus counters, by name."""
        text = httpx.get(f"{self.root}/metrics", timeout=10).text
        return {
            name: float(value)
            for name, value in re.findall(r"^llamacpp:(\w+) ([0-9.e+-]+)$", text, re.M)
        }

    def busy_slots(self) -> int:
        """Slots processing a request right now."""
        return sum(s["is_processing"] for s in httpx.get(f"{self.root}/slots", timeout=10).json())


def _why_missing() -> str:
    log = LLAMA_SERVER.parent.parent / "build.log"
    last = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
    reason = f": {last[0]}" if last else "; run `make real-server`"
    return f"llama-server is not built at {LLAMA_SERVER}{reason}"


@contextmanager
def llama_server(
    model: Path,
    log_dir: Path,
    slots: int = 2,
    threads: int = 2,
    binary: Path = LLAMA_SERVER,
    options: Sequence[str] = (),
) -> Iterator[LlamaServer]:
    """Run llama-server (`binary`, with `options`) on `model` with `slots` slots on a free
    loopback port; stop it by pid."""
    if not binary.is_file():
        raise Missing(_why_missing() if binary == LLAMA_SERVER else f"{binary} is not built")
    if not model.is_file():
        raise Missing(f"model file missing: {model}; run `make real-server`")
    port = free_port()
    log = log_dir / f"llama-server-{port}.log"
    command = [str(binary), *options, "-m", str(model), "--host", "127.0.0.1", "--port", str(port),
               "--parallel", str(slots), "-c", str(2048 * slots), "--threads", str(threads),
               "--metrics"]  # fmt: skip
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    server = LlamaServer(f"http://127.0.0.1:{port}", process)
    try:

        def healthy() -> bool:
            if process.poll() is not None:
                raise Died(process.returncode, log.read_text())
            try:
                return httpx.get(f"{server.root}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(healthy, 120, "llama-server to load its model")
        yield server
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def gemma_gguf(data_dir: Path) -> Path:
    """The Gemma 3 270M GGUF the embedded backend ships, written to the model cache if needed."""
    from dragoman.services.catalog import resolve_model
    from dragoman.services.llm.embedded import prepare_gguf
    from dragoman.services.settings import Settings

    settings = Settings(data_dir=data_dir)
    return prepare_gguf(resolve_model("translate", settings), settings)
