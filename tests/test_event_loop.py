"""Nothing holds the event loop: while a large document translates, a page is translated, text
is proofread, words are added and /health is polled, the service's loop runs in asyncio's debug
mode and logs no callback that held it for 100 ms or more (its default slow-callback threshold).
The service and its model server run as processes of their own, as in production, so that
nothing but the service's own work shares its interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.conftest import AUTH
from tests.fakes import free_port
from tests.live import wait_until

PARAGRAPH = "<p>Der Beitrag Nummer {n} erklärt, wie man <b>das Passwort</b> im Forum ändert.</p>"
DOCUMENT = ("<html><body>" + "".join(PARAGRAPH.format(n=n) for n in range(600))).encode()
PAGE = "".join(PARAGRAPH.format(n=n) for n in range(1000, 1040))
HUGE = "Das ist ein Satz über nichts Besonderes. " * 150_000
MAIL = "This are a short e-mail. It have two mistakes, and it were written quickly. " * 20


def _requests(url: str) -> dict[str, Callable[[httpx.Client], httpx.Response]]:
    """What users do while the document translates, each a request that must succeed."""
    return {
        "page": lambda c: c.post(
            f"{url}/v1/translate",
            json={"q": PAGE, "source": "de", "target": "en", "format": "html"},
        ),
        "proofread": lambda c: c.post(f"{url}/v1/proofread", json={"text": MAIL}),
        "languagetool": lambda c: c.post(
            f"{url}/v2/check", data={"text": MAIL, "language": "en-US"}
        ),
        "languagetool auto": lambda c: c.post(
            f"{url}/v2/check", data={"text": MAIL, "language": "auto"}
        ),
        # Over the length limit: refused before detection reads it (it took 2–3 s before #34).
        "languagetool huge": lambda c: c.post(
            f"{url}/v2/check", json={"text": HUGE, "language": "auto"}
        ),
        "word": lambda c: c.post(f"{url}/v2/words/add", data={"word": "Dragoman"}),
        "words": lambda c: c.get(f"{url}/v2/words"),
        "health": lambda c: c.get(f"{url}/health"),
    }


def _process(stack: ExitStack, args: list[str], env: dict[str, str], log: Path) -> None:
    output = stack.enter_context(log.open("w"))
    process = subprocess.Popen(args, env=env, stdout=output, stderr=subprocess.STDOUT)
    stack.callback(process.wait, 30)
    stack.callback(process.kill)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`dragoman serve` in debug mode before a fake model server; its URL and its log."""
    model_port, port = free_port(), free_port()
    log = tmp_path / "serve.log"
    with ExitStack() as stack:
        model = [sys.executable, "-m", "tests.model_process", str(model_port)]
        _process(stack, model, dict(os.environ), tmp_path / "model.log")
        env = {
            **os.environ,
            "PYTHONASYNCIODEBUG": "1",
            "DRAGOMAN_PORT": str(port),
            "DRAGOMAN_BACKEND": "llama-server",
            "DRAGOMAN_BASE_URL": f"http://127.0.0.1:{model_port}/v1",
            "DRAGOMAN_CONSTRAINED": "true",
            "DRAGOMAN_JOB_POLL": "0.05",
            "DRAGOMAN_PROOFREAD_VERIFIER": "off",
        }
        _process(stack, [sys.executable, "-m", "dragoman.services.cli", "serve"], env, log)
        url = f"http://127.0.0.1:{port}"

        def ready() -> bool:
            try:
                return httpx.get(f"{url}/health", headers=AUTH).status_code == 200
            except httpx.TransportError:
                return False

        wait_until(ready, 120, f"the service to serve (log: {log})")
        yield url, log


def test_nothing_holds_the_event_loop(service: tuple[str, Path]) -> None:
    url, log = service
    with httpx.Client(headers=AUTH, timeout=120) as client:
        files = {"file": ("thread.html", DOCUMENT)}
        created = client.post(f"{url}/v1/documents", files=files, data={"target": "en"})
        assert created.status_code == 202, created.text
        job = f"{url}/v1/documents/{created.json()['id']}"
        wait_until(lambda: client.get(job).json()["progress"]["done"] > 0, 60, "the job to start")
        answers: dict[str, int] = {}

        def user(name: str, send: Callable[[httpx.Client], httpx.Response]) -> None:
            with httpx.Client(headers=AUTH, timeout=120) as own:
                answers[name] = send(own).status_code

        users = [threading.Thread(target=user, args=item) for item in _requests(url).items()]
        for thread in users:
            thread.start()

        def ended() -> bool:
            assert client.get(f"{url}/health").status_code == 200
            return client.get(job).json()["status"] not in {"queued", "running"}

        wait_until(ended, 300, "the document to be translated")
        for thread in users:
            thread.join(timeout=120)
        status = client.get(job).json()
    assert status["status"] == "done", status
    assert answers == {**dict.fromkeys(_requests(url), 200), "languagetool huge": 413}
    slow = [line for line in log.read_text().splitlines() if "Executing <" in line]
    assert slow == []
