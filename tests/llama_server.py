"""Running the real llama.cpp llama-server that `make real-server` builds, for tests and benchmarks."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import httpx
from platformdirs import user_cache_dir

from tests.fakes import free_port
from tests.live import wait_until

CACHE = Path(user_cache_dir("dragoman"))
LLAMA_SERVER = Path(
    os.environ.get("DRAGOMAN_TEST_LLAMA_SERVER")
    or CACHE / "llama-server" / version("llama-cpp-python") / "bin" / "llama-server"
)
SMOLLM2 = Path(
    os.environ.get("DRAGOMAN_TEST_SMOLLM2") or CACHE / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
)


class Missing(Exception):
    """llama-server or a model file is not there; the message says why, in one line."""


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
    model: Path, log_dir: Path, slots: int = 2, threads: int = 2
) -> Iterator[LlamaServer]:
    """Run llama-server on `model` with `slots` slots on a free loopback port; stop it by pid."""
    if not LLAMA_SERVER.is_file():
        raise Missing(_why_missing())
    if not model.is_file():
        raise Missing(f"model file missing: {model}; run `make real-server`")
    port = free_port()
    log = log_dir / f"llama-server-{port}.log"
    command = [str(LLAMA_SERVER), "-m", str(model), "--host", "127.0.0.1", "--port", str(port),
               "--parallel", str(slots), "-c", str(2048 * slots), "--threads", str(threads),
               "--metrics"]  # fmt: skip
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    server = LlamaServer(f"http://127.0.0.1:{port}", process)
    try:

        def healthy() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"llama-server exited: {log.read_text()[-2000:]}")
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
