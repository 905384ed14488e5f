"""Two real llama-servers behind one Dragoman: either one is killed mid-batch (SIGKILL), and
every segment is still accounted for, answered by the server that stayed."""

from __future__ import annotations

import asyncio
import threading

import pytest
from bs4 import BeautifulSoup

from dragoman.chains.translate import STATUSES, TranslateRequest, translate_document
from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from tests.live import wait_until
from tests.llama_server import SMOLLM2, Missing, llama_server
from tests.realserver.test_llama_server import SENTENCES

pytestmark = pytest.mark.realserver


@pytest.mark.parametrize("victim", [0, 1], ids=["first-listed", "second-listed"])
def test_a_server_killed_mid_batch_loses_no_segment(tmp_path, victim: int) -> None:
    html = "".join(f"<p>{SENTENCES[n % 5]} (Beitrag {n})</p>" for n in range(12))
    try:
        with (
            llama_server(SMOLLM2, tmp_path, slots=2) as first,
            llama_server(SMOLLM2, tmp_path, slots=2) as second,
        ):
            settings = Settings(
                backend="llama-server",
                base_urls=[first.base_url, second.base_url],
                translate_preset="smollm2-135m",
                data_dir=tmp_path / "data",
                memory=False,
                batch_segments=2,
                backend_retries=3,
                warm_up=False,
            )
            runtime = Runtime(settings)
            assert runtime.models.slots("translate") == 4  # both servers' --parallel 2
            outcome: dict = {}

            def work() -> None:
                request = TranslateRequest(html, "en", "de", "html")
                outcome["result"] = asyncio.run(translate_document(runtime.translator(), request))

            worker = threading.Thread(target=work)
            worker.start()
            killed, kept = (first, second) if victim == 0 else (second, first)
            wait_until(lambda: killed.busy_slots() > 0, 120, "the doomed server to take work")
            killed.process.kill()
            worker.join(timeout=600)
            servers = {s.url: s for s in runtime.models.pools["translate"].servers}
            kept_idle = kept.metrics()["requests_processing"] == 0
    except Missing as exc:
        pytest.skip(str(exc))
    result = outcome["result"]
    assert sum(result.counts.values()) == 12  # every segment ended translated or reported
    assert set(result.counts) <= set(STATUSES)
    paragraphs = BeautifulSoup(result.text, "html.parser").find_all("p")
    assert len(paragraphs) == 12 and kept_idle  # the server that stayed is idle again
    assert servers[killed.base_url].error  # the killed server is out of the pool for now
    assert not servers[kept.base_url].error
    assert result.fault is None, result.reasons  # no segment failed for want of a server
