"""The suite's first tests (tests/conftest.py puts them first): one real decode of each llama.cpp
engine in a child process. A build this CPU cannot run stops the whole run here, in one line
that names the signal, the CPU flags that matter and what to do, instead of killing pytest
midway (an AMX CPU and a -march=native build: SIGILL at the first decode)."""

from __future__ import annotations

import contextlib
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from dragoman.services.errors import EngineCrashed
from dragoman.services.llm.canary import cpu, decode_in_child
from tests.llama_server import LLAMA_SERVER, SMOLLM2, Died, Missing, llama_server


def _stop(message: str) -> None:
    """End the whole run now: nothing after a crashing engine can be trusted."""
    pytest.exit(f"stopping the suite: {message}", returncode=3)


def _stop_if_killed(returncode: int | None) -> None:
    """Stop the run when llama-server was killed by a signal, naming it and this CPU."""
    if returncode is not None and returncode < 0:
        name, flags = cpu()
        _stop(
            f"llama-server died of {signal.Signals(-returncode).name} at its first decode: this "
            f"CPU ({name}; {' '.join(flags)}) cannot run the build at {LLAMA_SERVER}; "
            "`make test` rebuilds it when the CPU or the build settings change"
        )


def test_embedded_engine_decodes_in_a_child_process(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp", reason="the [embedded] extra is not installed")
    from tests.llama_server import gemma_gguf

    try:
        decode_in_child(gemma_gguf(tmp_path), threads=2)
    except EngineCrashed as exc:
        _stop(exc.message)


def test_llama_server_decodes(tmp_path: Path) -> None:
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(llama_server(SMOLLM2, tmp_path, slots=1))
        except Missing as exc:
            pytest.skip(str(exc))
        except Died as exc:  # llama-server decodes once to warm up, before it says it is healthy
            _stop_if_killed(exc.returncode)
            raise
        try:
            answer = httpx.post(
                f"{server.root}/completion",
                json={"prompt": "The house is", "n_predict": 4, "cache_prompt": False},
                timeout=120,
            )
        except httpx.HTTPError:
            with contextlib.suppress(subprocess.TimeoutExpired):
                _stop_if_killed(server.process.wait(timeout=30))
            raise
        assert answer.status_code == 200, answer.text
        assert answer.json()["tokens_predicted"] > 0
