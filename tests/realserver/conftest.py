"""A real llama.cpp llama-server with real models, started per session on loopback.

`make real-server` builds llama-server from the llama.cpp sources vendored in the pinned
llama-cpp-python sdist and fetches SmolLM2; without them the tier is skipped with the reason.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest
from platformdirs import user_cache_dir

from dragoman.services.catalog import resolve_model
from dragoman.services.llm.embedded import prepare_gguf
from dragoman.services.settings import Settings
from tests.fakes import free_port
from tests.live import wait_until

pytestmark = pytest.mark.realserver
CACHE = Path(user_cache_dir("dragoman"))


def _default_binary() -> Path:
    return CACHE / "llama-server" / version("llama-cpp-python") / "bin" / "llama-server"


LLAMA_SERVER = Path(os.environ.get("DRAGOMAN_TEST_LLAMA_SERVER") or _default_binary())
SMOLLM2 = Path(
    os.environ.get("DRAGOMAN_TEST_SMOLLM2") or CACHE / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
)


def _why_missing() -> str:
    """One line: why llama-server is not there (the build log's last line, if any)."""
    log = LLAMA_SERVER.parent.parent / "build.log"
    last = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
    reason = f": {last[0]}" if last else "; run `make real-server`"
    return f"llama-server is not built at {LLAMA_SERVER}{reason}"


@dataclass
class LlamaServer:
    """A running llama-server: its OpenAI-compatible base URL and its own root."""

    root: str
    process: subprocess.Popen

    @property
    def base_url(self) -> str:
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


def start_llama_server(model: Path, tmp: Path) -> Iterator[LlamaServer]:
    """Run llama-server on `model` with 2 slots on a free loopback port; stop it by its pid."""
    if not LLAMA_SERVER.is_file():
        pytest.skip(_why_missing())
    if not model.is_file():
        pytest.skip(f"model file missing: {model}; run `make real-server`")
    port = free_port()
    log = tmp / f"llama-server-{port}.log"
    command = [str(LLAMA_SERVER), "-m", str(model), "--host", "127.0.0.1", "--port", str(port),
               "--parallel", "2", "-c", "4096", "--threads", "2", "--metrics"]  # fmt: skip
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


@pytest.fixture(scope="session")
def smollm2_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """SmolLM2-135M-Instruct, a real (and very small) chat model."""
    yield from start_llama_server(SMOLLM2, tmp_path_factory.mktemp("smollm2"))


@pytest.fixture(scope="session")
def gemma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """Gemma 3 270M, a base model, from the GGUF the embedded backend ships."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("gemma-data"))
    gguf = prepare_gguf(resolve_model("translate", settings), settings)
    yield from start_llama_server(gguf, tmp_path_factory.mktemp("gemma"))
