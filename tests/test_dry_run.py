"""`--dry-run` prints the requests the real run sends: compared, body for body, with what a
server receives when the same input is translated for real."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from tests.fake_server import FakeOpenAIServer
from tests.fakes import last_line_after, segment_replier, to_english
from tests.test_cli import run_cli

PAGE = (
    "<p>Ich habe das gleiche Problem mit meinem Fahrrad.</p>\n"
    "<p>Guten Morgen!</p>\n"
    "<p>Das ist ein <b>neuer</b> Beitrag über Fahrräder.</p>\n"
)
_NUMBERED = re.compile(r"^\[(\d+)\] (.*)$", re.M)


def reply(body: dict[str, Any]) -> str:
    """Answer like a good model: batches as numbered lines or JSON, single segments alone."""
    if "prompt" in body:  # a base model's completion prompt
        return " " + to_english(last_line_after(body["prompt"], "German"))
    content = body["messages"][-1]["content"]
    if "<source" not in content:  # a raw prompt: the text alone (TranslateGemma's template)
        return to_english(content)
    answer = segment_replier(to_english)([HumanMessage(content=content)])
    if "json_schema" in json.dumps(body) or "response_format" in body:
        return json.dumps({n: text for n, text in _NUMBERED.findall(answer)})
    return answer


def _bodies(requests: list[dict[str, Any]]) -> Counter[str]:
    return Counter(json.dumps(r["json"], sort_keys=True) for r in requests)


@pytest.mark.parametrize("preset", ["gemma2-2b", "gemma3-270m", "translategemma-4b"])
def test_a_dry_run_prints_exactly_the_requests_a_real_run_sends(
    preset: str, tmp_path, monkeypatch, capsys
) -> None:
    page = tmp_path / "post.html"
    page.write_text(PAGE, encoding="utf-8")
    with FakeOpenAIServer(reply=reply) as server:
        args = ["translate", str(page), "--to", "en", "--from", "de",
                "--backend", "llama-server", "--base-url", server.base_url]  # fmt: skip
        monkeypatch.setenv("DRAGOMAN_TRANSLATE_PRESET", preset)
        monkeypatch.setenv("DRAGOMAN_DATA_DIR", str(tmp_path / "dry"))
        code, out, err = run_cli([*args, "--dry-run"], monkeypatch, capsys)
        assert code == 0, err
        assert server.requests == []  # a dry run sends nothing to the model
        printed = [json.loads(part.split("--- prompt ---")[0])
                   for part in out.split("--- request ---")[1:]]  # fmt: skip
        monkeypatch.setenv("DRAGOMAN_DATA_DIR", str(tmp_path / "real"))
        code, out, err = run_cli(args, monkeypatch, capsys)
        assert code == 0, err
        assert "I HAVE THE SAME PROBLEM WITH MY BICYCLE." in out
    assert printed and _bodies(printed) == _bodies(server.requests)
    sent = [json.loads(body) for body in _bodies(server.requests)]
    budgets = [body.get("max_tokens", body.get("max_completion_tokens")) for body in sent]
    assert all(16 <= budget < 200 for budget in budgets), budgets  # budgets, not a default cap
