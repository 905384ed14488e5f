"""What the benchmarks of a running `dragoman serve` share: the code of another revision, starting
the service as a user does, and waiting for a server to answer (no fixed sleeps)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psutil

from tests.fakes import free_port

from .common import ROOT

TOKEN = "bench-token"


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a process has used."""
    times = psutil.Process(pid).cpu_times()
    return round(times.user + times.system, 1)


@contextmanager
def code_of(revision: str | None) -> Iterator[dict[str, str]]:
    """The environment that runs `revision`'s chains, services and prompts (None: this tree)."""
    if revision is None:
        yield {}
        return
    with tempfile.TemporaryDirectory() as folder:
        checkout, tree = Path(folder) / "checkout", Path(folder) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(checkout), revision], check=True)  # fmt: skip
        try:
            (tree / "dragoman").mkdir(parents=True)
            for part in ("chains", "services", "prompts"):
                (tree / "dragoman" / part).symlink_to(checkout / part)
            yield {"PYTHONPATH": str(tree)}
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(checkout)], check=True)  # fmt: skip


def wait_ready(url: str, process: subprocess.Popen, seconds: float = 180) -> None:
    """Poll `url` until it answers 200; fail at once if `process` exits, or after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer (exit code {process.poll()})")


@contextmanager
def dragoman_serve(
    env: dict[str, str], log: Path | None = None
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`dragoman serve` on a free port with its own data directory and no config file; yields
    its URL and process once /health answers, and stops it at the end."""
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        env = {
            **os.environ,
            "DRAGOMAN_TOKEN": TOKEN,
            "DRAGOMAN_DATA_DIR": data,
            "DRAGOMAN_CONFIG": str(Path(data) / "none.toml"),
            **env,
        }
        out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
        process = subprocess.Popen(
            [sys.executable, "-m", "dragoman.services.cli", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=out,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_ready(f"{url}/health", process)
            yield url, process
        finally:
            process.terminate()
            process.wait(timeout=30)
            if log:
                out.close()  # type: ignore[union-attr]


class ModelServer:
    """A `bench.model_server` process on a port of its own, which can be killed and started
    again on the same port."""

    def __init__(self, slots: int = 4, seconds: float = 0.02) -> None:
        self.port, self.slots, self.seconds = free_port(), slots, seconds
        self.root = f"http://127.0.0.1:{self.port}"
        self.base_url = f"{self.root}/v1"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start the process and wait until it answers."""
        command = [
            sys.executable,
            "-m",
            "bench.model_server",
            str(self.port),
            str(self.slots),
            str(self.seconds),
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_ready(f"{self.base_url}/models", self.process, 60)

    def kill(self) -> None:
        """SIGKILL: no goodbye to the requests it is answering."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=30)

    def stats(self) -> dict[str, Any]:
        """Model calls this process took and answered to the end, and its CPU seconds."""
        calls = httpx.get(f"{self.root}/stats", timeout=5).json()
        return {**calls, "cpu_s": cpu_seconds(self.process.pid) if self.process else 0.0}

    def __enter__(self) -> ModelServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()
