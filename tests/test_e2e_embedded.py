"""End to end on the real embedded model (Gemma 3 270M in llama.cpp): no fakes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from fastapi.testclient import TestClient

from dragoman.services.api.app import create_app
from dragoman.services.catalog import resolve_model
from dragoman.services.llm.embedded import make_embedded_model
from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from tests.conftest import AUTH, TOKEN
from tests.fakes import translate_text

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    """One embedded runtime for the module: the model loads once per process anyway."""
    data = tmp_path_factory.mktemp("data")
    return Runtime(Settings(data_dir=data, memory=False, token=TOKEN, allowed_hosts=["testserver"]))


def test_german_sentence_to_english(runtime: Runtime) -> None:
    result = translate_text(runtime, "Mein Computer startet nicht mehr.")
    out = result.text.lower()
    assert "computer" in out and "start" in out and ("not" in out or "n't" in out)
    assert result.status == "ok"


def test_service_reports_embedded_backend_ready_and_translates(runtime: Runtime) -> None:
    with TestClient(create_app(runtime=runtime), headers=AUTH) as client:
        health = client.get("/health").json()
        assert health["status"] == "ok"
        assert health["backends"]["translate"]["backend"] == "embedded"
        assert health["backends"]["translate"]["detail"].startswith("loaded ")
        assert health["backends"]["verify"]["preset"] == "embedded-gemma3-270m"
        assert health["backends"]["verify"]["detail"].startswith("loaded ")
        response = client.post(
            "/v1/translate", json={"q": "Der Hund spielt im Garten.", "target": "en"}
        )
    translation = response.json()["translations"][0]
    assert translation["detected_source"] == "de"
    assert "dog" in translation["text"].lower() and "garden" in translation["text"].lower()


def test_real_german_forum_post_keeps_links_and_code(runtime: Runtime) -> None:
    from bs4 import BeautifulSoup

    from tests.corpus import pages

    page = next(p for p in pages() if "ubuntuusers" in p.file)
    post = str(BeautifulSoup(page.text(), "html.parser").select_one("div.text"))
    result = translate_text(runtime, post, source="auto", fmt="html")
    before, after = BeautifulSoup(post, "html.parser"), BeautifulSoup(result.text, "html.parser")
    assert result.detected_source == "de"
    assert [a.attrs for a in after.find_all("a")] == [a.attrs for a in before.find_all("a")]
    assert after.find("pre").decode() == before.find("pre").decode()
    assert [t.name for t in after.find_all(True)] == [t.name for t in before.find_all(True)]
    text = after.get_text().lower()
    assert "hardware" in text and "please" in text and "bitte" not in text
    assert result.counts.get("ok", 0) >= result.counts.get("failed", 0) + result.counts.get(
        "fallback", 0
    )


# A post like the one that came back with an example's laptop in it.
ROUTER_POST = (
    "<p>Hallo zusammen, ich habe seit dem letzten Update ein Problem mit meinem Router.</p>"
    "<p>Die Verbindung bricht jede Nacht ab und kommt erst nach einem Neustart wieder.</p>"
    "<p>Hat jemand eine Idee? Danke für eure Hilfe!</p>"
)


def test_few_shot_examples_do_not_bleed_into_translations(runtime: Runtime) -> None:
    """No sentence of the few-shot examples turns up where the source does not say it."""
    import re

    from dragoman.prompts import load_data

    result = translate_text(runtime, ROUTER_POST, fmt="html")
    examples = load_data("translate.examples")["sentences"]
    answer = " ".join(result.text.lower().split())
    for english in examples["en"]:
        words = re.sub(r"</?a1>|[.!?]", "", english).lower().split()
        # Four words in a row of an example ("same problem with my") come from it, not the post.
        for n in range(len(words) - 3):
            assert " ".join(words[n : n + 4]) not in answer, (english, result.text)


EMAIL = """Hi Tom,

I has attached the the report for you. The budget was approved by the board last week.
She go to the office every day, and the results will be announced tomorrow.

On Mon, Jan 1, 2024 at 10:00 AM Alice <alice@example.org> wrote:
> I has a question about the the budget.

Best regards,
Anna
--\x20
Anna Example, a orange company
"""


def test_proofread_an_email(runtime: Runtime) -> None:
    import asyncio

    from dragoman.chains.proofread import ProofreadOptions, proofread

    layers = runtime.layers("en-US")
    corrector = layers.corrector
    result = asyncio.run(proofread(EMAIL, "email", ProofreadOptions(), layers))
    flagged = {(i.rule, i.text) for i in result.issues}
    assert ("ENGLISH_WORD_REPEAT_RULE", "the the") in flagged
    assert ("PASSIVE_VOICE_BY_AGENT", "was approved") in flagged
    assert ("PASSIVE_VOICE", "will be announced") in flagged
    assert corrector.calls > 0  # the real model was asked for corrections
    quoted_at, signature_at = EMAIL.index("> I has"), EMAIL.index("-- \n")
    assert all(
        i.offset < quoted_at or quoted_at + 40 < i.offset < signature_at for i in result.issues
    )
    assert all(EMAIL[i.offset : i.offset + i.length] == i.text for i in result.issues)
    grammar = [i for i in result.issues if i.from_model]
    assert all(i.replacements and i.replacements[0] != i.text for i in grammar)


def test_batch_translates_a_markdown_file(tmp_path) -> None:
    import subprocess
    import sys

    source = tmp_path / "notiz.md"
    source.write_text(
        "# Mein Computer\n\nMein Computer startet nicht mehr. Siehe `dmesg` und [das Forum](https://example.org).\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    command = [sys.executable, "-m", "dragoman.services.cli", "translate", str(source),
               "--to", "en", "-o", str(out)]  # fmt: skip
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "DRAGOMAN_DATA_DIR": str(tmp_path / "data")},
    )
    assert result.returncode == 0, result.stderr
    translated = (out / "notiz.md").read_text(encoding="utf-8")
    assert (
        translated.startswith("# ")
        and "`dmesg`" in translated
        and "](https://example.org)" in translated
    )
    assert "computer" in translated.lower() and "Mein" not in translated


def test_streaming_stopped_early_frees_the_model_at_once() -> None:
    """A reader that stops mid-answer leaves the model unlocked and ready for the next call."""
    settings = Settings(memory=False)
    model = make_embedded_model(resolve_model("translate", settings), settings)
    prompt = "Translate German to English.\nGerman: Der Hund spielt im Garten.\nEnglish:"

    async def read_two_chunks() -> list[str]:
        chunks = []
        stream = model.astream(prompt, max_tokens=64)
        async for chunk in stream:
            chunks.append(chunk)
            if len(chunks) == 2:
                break
        await stream.aclose()  # type: ignore[attr-defined]
        return chunks

    assert len(asyncio.run(read_two_chunks())) == 2
    assert not model.lock.locked()
    whole = "".join(asyncio.run(_collect(model.astream(prompt, max_tokens=64))))
    assert whole == model.invoke(prompt, max_tokens=64)


async def _collect(stream: AsyncIterator[str]) -> list[str]:
    return [chunk async for chunk in stream]


def test_an_8000_token_article_is_checked_with_exact_offsets(runtime: Runtime) -> None:
    """Real web sentences with real errors (CWEB), in paragraphs, past 8,000 model tokens."""
    import asyncio

    from dragoman.chains.proofread import ProofreadOptions, proofread
    from dragoman.chains.proofread.grammar import MAX_SENTENCE
    from tests.corpus import CORPUS

    lines = (CORPUS / "grammar" / "cweb" / "CWEB-G.test.source").read_text("utf-8").splitlines()
    layers = runtime.layers("en-US")
    model = runtime.models.model("proofread")
    paragraphs: list[str] = []
    while model.get_num_tokens("\n\n".join(paragraphs)) < 8000:
        paragraphs.append(" ".join(lines[6 * len(paragraphs) : 6 * len(paragraphs) + 6]))
    article = "\n\n".join(paragraphs)
    result = asyncio.run(proofread(article, "text", ProofreadOptions(), layers))
    assert result.sentences >= len(paragraphs)
    # A base model is asked one sentence a call, about every sentence it can take.
    short = [b - a for a, b in result.sentence_spans if b - a <= MAX_SENTENCE]
    assert layers.corrector is not None and layers.corrector.calls >= len(short)
    assert all(
        0 <= i.offset < i.offset + i.length <= len(article)
        and article[i.offset : i.offset + i.length] == i.text
        and i.length > 0
        and i.sentence in article
        for i in result.issues
    )
    last_paragraph = article.rindex("\n\n")
    assert result.sentence_spans[-1][0] > last_paragraph  # checked to the very end
    assert any(i.from_model for i in result.issues) and any(not i.from_model for i in result.issues)


def test_the_verifier_scores_with_the_real_model(runtime: Runtime) -> None:
    from dragoman.services.llm import make_scorer

    assert runtime.models.verifying is not None
    scorer = make_scorer(runtime.models.verifying, runtime.settings)
    wrong, right = "She don't like apples.", "She doesn't like apples."
    gain, same = scorer.gains(wrong, [right, wrong])
    assert gain is not None and gain > 0
    assert same is not None and abs(same) < 0.05  # the text against itself, its prefix reused
    # Scored fresh or after a text that shares its start, a text gets the same score.
    (back,) = scorer.gains(right, [wrong])
    assert back is not None and abs(back + gain) < 0.05
    assert scorer.gains("word " * 400, ["words " * 400]) == [None]  # beyond its context


def test_the_verifier_shares_the_generators_weights(runtime: Runtime) -> None:
    """One copy of the GGUF in the process, however many contexts evaluate on it."""
    from dragoman.services.llm import make_scorer

    runtime.models.model("proofread")
    scorer = make_scorer(runtime.models.verifying, runtime.settings)
    assert scorer.gains("It work.", ["It works."])[0] is not None
    gguf = str(runtime.settings.model_dir / runtime.models.resolved["proofread"].model)
    with open("/proc/self/maps", encoding="utf-8") as maps:
        mappings = {line.split()[0] for line in maps if line.rstrip().endswith(gguf)}
    assert len(mappings) == 1, mappings


def test_the_verifier_scores_long_sentences_as_one_plain_evaluation_does(runtime: Runtime) -> None:
    """Past one batch of the scorer, after another text that shares its start, a text's score
    is the sum a plain evaluation of every position gives (llama-cpp-python, all logits)."""
    import numpy as np
    from llama_cpp import Llama

    from dragoman.services.llm import make_scorer
    from dragoman.services.llm.scorer import SCORER_BATCH

    scorer = make_scorer(runtime.models.verifying, runtime.settings)
    gguf = str(runtime.settings.model_dir / runtime.models.resolved["proofread"].model)
    plain = Llama(model_path=gguf, n_ctx=256, n_batch=256, logits_all=True, verbose=False)

    def logprob(text: str) -> float:
        tokens = plain.tokenize(text.encode("utf-8"), add_bos=True, special=False)
        plain.reset()
        plain.eval(tokens)
        rows = plain.scores[: len(tokens) - 1].astype(np.float64)
        norms = np.log(np.exp(rows - rows.max(1, keepdims=True)).sum(1)) + rows.max(1)
        return float(sum(rows[i, tokens[i + 1]] - norms[i] for i in range(len(tokens) - 1)))

    try:
        base = (
            "The committee, which had been meeting every Tuesday since the beginning of the "
            "year, finally decided after a long and rather heated discussion about budgets, "
            "deadlines and responsibilities that the proposal should be sent back to its authors."
        )
        late = base.replace("sent back", "send back")  # differs past the first batch
        early = base.replace("The committee", "A committee")
        assert len(plain.tokenize(base.encode(), add_bos=True)) > 2 * SCORER_BATCH
        gains = scorer.gains(base, [late, early, base])
        # llama.cpp's CPU kernels tile rows by four: a row in a batch's last partial tile is
        # summed in another order, which moves its log-probability by up to a few tenths of a
        # nat. A row scored against the wrong token, or a stale prefix, costs several nats.
        for text, gain in zip([late, early, base], gains, strict=True):
            assert gain is not None
            assert abs(gain - (logprob(text) - logprob(base))) < 0.5, text
    finally:
        plain.close()


def test_a_real_book_translated_by_the_real_model_passes_epubcheck(runtime: Runtime) -> None:
    # #35: epubcheck finds no error in a book the embedded model translated (IDPF's Waste Land).
    import re
    import shutil
    import subprocess
    import zipfile
    from io import BytesIO
    from pathlib import Path

    from dragoman.services.translation import archive_limits, translate_file_bytes

    jar = Path("/usr/share/java/epubcheck.jar")
    if shutil.which("java") is None or not jar.exists():
        pytest.skip("epubcheck is not installed (`make validators`)")
    book = Path(__file__).parent / "files" / "idpf-wasteland.epub"
    limits = archive_limits(runtime.settings)
    out, result = asyncio.run(
        translate_file_bytes(runtime.translator(), book.read_bytes(), book.name, "de", limits, "en")
    )
    assert result.counts.get("ok", 0) > result.counts.get("failed", 0)
    opf = zipfile.ZipFile(BytesIO(out)).read("EPUB/wasteland.opf").decode()
    assert "<dc:language>de</dc:language>" in opf
    translated = Path(runtime.settings.data_dir) / "wasteland.de.epub"
    translated.write_bytes(out)
    done = subprocess.run(
        ["java", "-jar", str(jar), str(translated)], capture_output=True, text=True
    )
    errors = re.findall(r"^(?:ERROR|FATAL)\(.*$", done.stdout + done.stderr, re.MULTILINE)
    assert errors == []
