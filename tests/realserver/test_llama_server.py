"""Dragoman against a real llama-server and real models: behaviour, never translation quality."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from langchain_core.messages import HumanMessage
from langchain_core.prompt_values import ChatPromptValue

from dragoman.chains import ModelCaller, detect_language
from dragoman.chains.markup import HtmlDocument, text_of
from dragoman.chains.translate import STATUSES, Job, TranslateRequest, translate_document
from dragoman.chains.translate.batching import batch_request, parse_batch
from dragoman.services.api.app import create_app
from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from tests.conftest import AUTH, TOKEN
from tests.fakes import DictMemory, make_translator
from tests.live import wait_until
from tests.llama_server import LlamaServer
from tests.trees import browser_tree

pytestmark = pytest.mark.realserver

POST = (
    '<div class="post"><p>Hallo zusammen, seit dem letzten Update verliert mein Laptop ständig die '
    'Verbindung zum WLAN. Ich habe schon <a href="https://wiki.ubuntuusers.de/WLAN/">die Anleitung '
    "im Wiki</a> gelesen und <code>sudo systemctl restart NetworkManager</code> probiert.</p>"
    "<p>Hat jemand eine Idee, woran das liegen könnte? Danke im Voraus!</p>"
    '<img src="/bild.png" alt="Ein Bildschirmfoto der Fehlermeldung" title="Fehlermeldung"></div>'
)
SENTENCES = [
    "Mein Computer startet seit gestern nicht mehr richtig.",
    "Die Festplatte macht seltsame Geräusche beim Hochfahren.",
    "Ich habe das Netzteil schon gegen ein neues getauscht.",
    "Der Bildschirm bleibt schwarz, aber die Lüfter drehen sich.",
    "Im BIOS wird die Festplatte noch richtig erkannt.",
]


def runtime_on(server: LlamaServer, preset: str, tmp_path, **settings) -> Runtime:
    return Runtime(
        Settings(
            backend="llama-server",
            base_url=server.base_url,
            translate_preset=preset,
            data_dir=tmp_path / "data",
            warm_up=False,
            token=TOKEN,
            allowed_hosts=["testserver"],
            **settings,
        )
    )


def translate(runtime: Runtime, text: str, fmt: str = "html"):
    request = TranslateRequest(text, "en", "de", fmt)
    return asyncio.run(translate_document(runtime.translator(), request))


@pytest.mark.parametrize("preset", ["smollm2-135m", "gemma3-270m"])
def test_forum_post_keeps_links_code_and_structure(preset, smollm2_server, gemma_server, tmp_path):
    server = smollm2_server if preset == "smollm2-135m" else gemma_server
    with TestClient(create_app(runtime=runtime_on(server, preset, tmp_path)), headers=AUTH) as app:
        response = app.post(
            "/v1/translate", json={"q": POST, "source": "de", "target": "en", "format": "html"}
        )
    assert response.status_code == 200, response.text
    (item,) = response.json()["translations"]
    assert item["status"] in STATUSES
    after = BeautifulSoup(item["text"], "html.parser")
    # Every element and attribute where it was, as a browser reads them.
    assert browser_tree(item["text"], text=False) == browser_tree(POST, text=False)
    assert after.a["href"] == "https://wiki.ubuntuusers.de/WLAN/"
    assert after.code.get_text() == "sudo systemctl restart NetworkManager"


def test_twenty_segments_all_come_back_with_a_status(smollm2_server, tmp_path):
    html = "".join(f"<p>{SENTENCES[n % 5]} (Beitrag {n})</p>" for n in range(20))
    result = translate(runtime_on(smollm2_server, "smollm2-135m", tmp_path), html)
    assert sum(result.counts.values()) == 20
    assert set(result.counts) <= set(STATUSES)
    assert BeautifulSoup(result.text, "html.parser").find_all("p").__len__() == 20


def test_number_of_calls_in_flight_follows_the_server_slots(smollm2_server, tmp_path):
    runtime = runtime_on(smollm2_server, "smollm2-135m", tmp_path)
    assert runtime.models.slots("translate") == 2  # llama-server was started with --parallel 2
    with TestClient(create_app(runtime=runtime), headers=AUTH) as app:
        health = app.get("/health").json()
    assert health["backends"]["translate"]["slots"] == 2


def test_prompt_prefix_is_reused_from_the_slot_cache(smollm2_server, tmp_path):
    runtime = runtime_on(smollm2_server, "smollm2-135m", tmp_path, batch_segments=1, memory=False)
    translator = runtime.translator()
    html = "".join(f"<p>{sentence}</p>" for sentence in SENTENCES)
    asyncio.run(translate_document(translator, TranslateRequest(html, "en", "de", "html")))
    usage = translator.usage
    assert usage.calls >= len(SENTENCES)
    # After the first segment, every request finds at least the fixed instructions cached.
    assert usage.cached_tokens >= (usage.calls - 1) * 40, usage


def test_completion_prompts_reuse_the_few_shot_prefix(gemma_server, tmp_path):
    before = gemma_server.metrics()
    translator = runtime_on(gemma_server, "gemma3-270m", tmp_path, memory=False).translator()
    html = "".join(f"<p>{sentence}</p>" for sentence in SENTENCES)
    asyncio.run(translate_document(translator, TranslateRequest(html, "en", "de", "html")))
    cached = (
        gemma_server.metrics()["prompt_tokens_cached_total"] - before["prompt_tokens_cached_total"]
    )
    # Each of the two slots evaluates the few-shot prefix once; every later call reuses it.
    assert cached >= (translator.calls - 2) * 40, (cached, translator.calls)


def test_constrained_batch_answers_exactly_its_ids(smollm2_server, tmp_path):
    runtime = runtime_on(smollm2_server, "smollm2-135m", tmp_path, constrained=True)
    profile = runtime.models.profile("translate")
    assert profile.schema_kwargs is not None
    prompt, constraint = batch_request(profile, SENTENCES, "de", "en", "")
    model = runtime.models.model("translate")
    answer = str(asyncio.run(model.ainvoke(prompt, max_tokens=600, **constraint)).content)
    # The grammar admits only the ids, in order, once each; a tiny model may still loop inside
    # one value until the token cap, so the answer can end early, but never with a wrong id.
    ids = [int(key) for key in re.findall(r'"(\d+)"\s*:', answer)]
    assert answer.lstrip().startswith("{") and ids == list(range(1, len(ids) + 1)), answer
    parsed = parse_batch(answer, len(SENTENCES), constrained=True)
    assert parsed is None or sorted(parsed) == [1, 2, 3, 4, 5]


def test_smollm2_never_marks_source_language_answers_ok_nor_stores_them(smollm2_server, tmp_path):
    runtime = runtime_on(smollm2_server, "smollm2-135m", tmp_path)
    memory = DictMemory()
    translator = make_translator(
        runtime.models.model("translate"), runtime.models.profile("translate"), memory=memory
    )
    doc = HtmlDocument(POST + "".join(f"<p>{s}</p>" for s in SENTENCES))

    def is_foreign(text: str) -> bool:
        language, probability = detect_language(text)
        return len(text) >= 20 and language != "en" and probability >= 0.9

    outcomes = asyncio.run(translator.translate(doc.segments, Job("de", "en", "", is_foreign)))
    for segment, outcome in zip(doc.segments, outcomes, strict=True):
        if outcome.status in ("ok", "repaired") and outcome.nodes is not None:
            assert not (is_foreign(text_of(segment.nodes)) and is_foreign(text_of(outcome.nodes)))
    stored = [re.sub(r"</?[a-z]\d+/?>", "", answer) for answer in memory.values()]
    assert all(not is_foreign(answer) for answer in stored), stored


def test_a_cancelled_call_frees_its_server_slot(smollm2_server, tmp_path):
    runtime = runtime_on(smollm2_server, "smollm2-135m", tmp_path)
    caller = ModelCaller(runtime.models.model("translate"), "max_tokens")
    prompt = ChatPromptValue(messages=[HumanMessage("Write a very long story about a dragon.")])
    endless = {"extra_body": {"ignore_eos": True, "cache_prompt": True}}  # runs to max_tokens
    before = smollm2_server.metrics()["tokens_predicted_total"]

    async def start_then_leave() -> None:
        call = asyncio.create_task(caller(prompt, 1900, endless))
        await asyncio.to_thread(
            wait_until, lambda: smollm2_server.busy_slots() == 1, 30, "the call to start"
        )
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call

    asyncio.run(start_then_leave())
    wait_until(lambda: smollm2_server.busy_slots() == 0, 30, "the slot to be freed")
    # The server stopped generating for the caller that left, far short of the 1,900 tokens.
    assert smollm2_server.metrics()["tokens_predicted_total"] - before < 1900


def test_stream_left_by_its_client_frees_the_server_slots(smollm2_server, tmp_path, live_app):
    runtime = runtime_on(smollm2_server, "smollm2-135m", tmp_path, memory=False, batch_segments=1)
    app = create_app(runtime=runtime)
    url = live_app(app)
    items = [f"{SENTENCES[n % 5]} Das ist Beitrag Nummer {n} in diesem Forum." for n in range(16)]
    body = {"q": items, "source": "de", "target": "en"}
    with httpx.stream(
        "POST", f"{url}/v1/translate/stream", json=body, headers=AUTH, timeout=120
    ) as response:
        first = json.loads(next(response.iter_lines()))
    assert first["index"] == 0
    wait_until(lambda: app.state.admission.running == 0, 60, "the stream to stop")
    wait_until(lambda: smollm2_server.busy_slots() == 0, 60, "llama-server's slots to be freed")
