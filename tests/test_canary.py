"""The embedded engine's decode check: a llama.cpp that dies in a child process (SIGILL, as an
AMX build on an AMX CPU) is one readable line naming the signal and the CPU, `dragoman prepare`
stops with it before llama.cpp is loaded in-process, and only a passed check is remembered."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dragoman.services.errors import EngineCrashed
from dragoman.services.llm.canary import CPU_FLAGS, cpu, decode_in_child, ensure_decodes
from tests.fakes import free_port
from tests.test_cli import run_cli

# Stand-ins for llama_cpp, loaded by the child process only (PYTHONPATH): the parent keeps the
# real one. `decode` is the body of Llama.create_completion.
FAKE_LLAMA_CPP = """
import os, signal, time
class Llama:
    def __init__(self, **kwargs): pass
    def create_completion(self, *args, **kwargs): {decode}
    def close(self): pass
"""
DIES = "os.kill(os.getpid(), signal.SIGILL)"


@pytest.fixture
def child_llama(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Give child processes a llama_cpp whose decode runs `decode`."""

    def install(decode: str) -> None:
        package = tmp_path / "fake" / "llama_cpp"
        package.mkdir(parents=True, exist_ok=True)
        (package / "__init__.py").write_text(FAKE_LLAMA_CPP.format(decode=decode))
        monkeypatch.setenv("PYTHONPATH", str(package.parent))

    return install


@pytest.fixture
def model(tmp_path: Path) -> Path:
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF")
    return path


def test_a_crash_names_the_signal_the_cpu_and_what_to_do(child_llama, model) -> None:
    child_llama(DIES)
    with pytest.raises(EngineCrashed) as caught:
        decode_in_child(model, threads=2)
    message = caught.value.message
    assert "SIGILL" in message and "model.gguf" in message
    assert cpu()[0] in message and all(flag in CPU_FLAGS for flag in cpu()[1])
    assert "`make run` rebuilds it" in message and "\n" not in message


def test_a_failure_that_is_not_a_signal_says_its_last_line(child_llama, model) -> None:
    child_llama("raise ValueError('cannot read the model')")
    with pytest.raises(EngineCrashed, match=r"exit 1: ValueError: cannot read the model"):
        decode_in_child(model, threads=2)


def test_a_hang_is_a_failure_too(child_llama, model) -> None:
    child_llama("time.sleep(60)")
    with pytest.raises(EngineCrashed, match="did not finish in 1 s"):
        decode_in_child(model, threads=2, timeout=1)


def test_only_a_passed_check_is_remembered(child_llama, model, tmp_path) -> None:
    pytest.importorskip("llama_cpp", reason="the [embedded] extra is not installed")
    verdicts = tmp_path / "checked"
    child_llama(DIES)
    for _ in range(2):  # a failure is never remembered: the next start checks again
        with pytest.raises(EngineCrashed):
            ensure_decodes(model, 2, verdicts)
    child_llama("pass")
    ensure_decodes(model, 2, verdicts)
    child_llama(DIES)  # the same build, model, threads and CPU passed before: no child runs
    ensure_decodes(model, 2, verdicts)
    with pytest.raises(EngineCrashed):  # another thread count is another check
        ensure_decodes(model, 3, verdicts)


@pytest.mark.parametrize("command", ["prepare", "serve"])
def test_the_cli_stops_in_one_line_before_loading_llama_cpp(
    command, child_llama, tmp_path, monkeypatch, capsys
) -> None:
    """`serve` stops before it binds its port: /health never says ok for a service that would
    die at its first request."""
    pytest.importorskip("llama_cpp", reason="the [embedded] extra is not installed")
    from dragoman.services.llm.embedded import _LOADED

    monkeypatch.setenv("DRAGOMAN_MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("DRAGOMAN_PORT", str(free_port()))
    child_llama(DIES)
    code, _, err = run_cli([command, "--backend", "embedded"], monkeypatch, capsys)
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert (
        code == 2 and len(errors) == 1 and errors[0].startswith("error: llama.cpp died of SIGILL")
    )
    assert err.strip().splitlines()[-1] == errors[0] and "serving on" not in err
    assert not any(str(tmp_path) in key[0] for key in _LOADED)  # never loaded into this process
    assert sys.modules["llama_cpp"].__file__ and "fake" not in sys.modules["llama_cpp"].__file__
