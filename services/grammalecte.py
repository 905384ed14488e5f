"""French grammar from Grammalecte (GPL-3.0), always as a separate process: Debian's
grammalecte-server on loopback, started on first use and started again if it dies. Dragoman
(MIT) only sends it text over HTTP."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from typing import Any

import httpx

log = logging.getLogger(__name__)
_STARTUP = 30.0  # seconds a starting server may take to answer (it loads its dictionary)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class GrammalecteServer:
    """One grammalecte-server process, shared by every thread."""

    def __init__(self, command: str, timeout: float) -> None:
        self.command = command
        self.timeout = timeout
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._url = ""
        self._log: Any = None  # the server's stderr, for the reason it did not start
        self.unavailable = ""  # why French grammar is off, once starting failed

    def check(self, text: str) -> dict[str, Any] | None:
        """Grammalecte's answer for `text` (its errors by line), or None when it cannot run."""
        for attempt in range(2):  # a server that died is started again, once
            url = self._running()
            if url is None:
                return None
            try:
                answer = httpx.post(f"{url}/gc_text/fr", data={"text": text}, timeout=self.timeout)
                answer.raise_for_status()
                return dict(answer.json())
            except (httpx.HTTPError, ValueError) as exc:
                log.warning(
                    "Grammalecte did not answer (%s); %s",
                    exc,
                    "again" if not attempt else "giving up",
                )
                self.close()
        return None

    def _running(self) -> str | None:
        """The server's URL, started now if it is not running; None if it cannot start."""
        with self._lock:
            if self._process is not None:
                if self._process.poll() is None:
                    return self._url
                log.warning("Grammalecte stopped (%s); starting it again", self._stop())
            if self.unavailable:
                return None
            executable = shutil.which(self.command)
            if executable is None:
                self.unavailable = f"{self.command} is not installed (make install)"
                log.warning("French grammar is off: %s", self.unavailable)
                return None
            port = _free_port()
            self._log = tempfile.TemporaryFile()  # noqa: SIM115  # as long as the server lives
            # Its own session: the server's worker processes are stopped with it, as a group.
            self._process = subprocess.Popen(
                [executable, "--host", "127.0.0.1", "--port", str(port), "--multiprocessor", "1"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._log,
                start_new_session=True,
            )  # fmt: skip
            self._url = f"http://127.0.0.1:{port}"
            if not self._ready():
                self.unavailable = f"{self.command} did not start: {self._stop()}"
                log.warning("French grammar is off: %s", self.unavailable)
                return None
            return self._url

    def _ready(self) -> bool:
        """Whether the starting server answers within _STARTUP seconds."""
        deadline = time.monotonic() + _STARTUP
        while time.monotonic() < deadline and self._process and self._process.poll() is None:
            try:
                httpx.get(f"{self._url}/get_options/fr", timeout=1.0).raise_for_status()
                return True
            except httpx.HTTPError:
                time.sleep(0.1)  # the server is loading; polling is how its readiness shows
        return False

    def _stop(self) -> str:
        """Stop the process; what it said on stderr, last line first."""
        process, self._process = self._process, None
        if process is None:
            return ""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            try:
                process.wait(timeout=5)
                break
            except subprocess.TimeoutExpired:
                continue
        self._log.seek(0)
        lines = self._log.read().decode(errors="replace").strip().splitlines()
        self._log.close()
        return lines[-1] if lines else f"exit status {process.returncode}"

    def close(self) -> None:
        """Stop the server (it starts again on the next check)."""
        with self._lock:
            self._stop()


_SERVERS: dict[tuple[str, float], GrammalecteServer] = {}
_SERVERS_LOCK = threading.Lock()


def grammalecte_server(command: str, timeout: float) -> GrammalecteServer:
    """The process's one server for `command`, stopped when the process exits."""
    with _SERVERS_LOCK:
        key = (command, timeout)
        if key not in _SERVERS:
            _SERVERS[key] = GrammalecteServer(command, timeout)
            atexit.register(_SERVERS[key].close)
        return _SERVERS[key]
