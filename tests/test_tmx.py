"""Importing a TMX file: a person's translations are used as they are for the same segment and
shown as examples for close ones; hostile and useless files get one readable line."""

from __future__ import annotations

import asyncio

import pytest

from dragoman.chains.translate import TranslateRequest, translate_document
from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from tests.fakes import ScriptedLLM, last_line_after, to_english
from tests.test_cli import run_cli

TMX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
  <header srclang="de-DE" datatype="html" segtype="sentence" adminlang="en" o-tmf="x"
          creationtool="x" creationtoolversion="1"/>
  <body>
    <tu>
      <tuv xml:lang="de-DE"><seg>Der Reifen ist seit dem <bpt i="1">&lt;b&gt;</bpt>letzten<ept i="1">&lt;/b&gt;</ept> Winter   kaputt.</seg></tuv>
      <tuv xml:lang="en-GB"><seg>The tyre has been flat since <bpt i="1">&lt;b&gt;</bpt>last<ept i="1">&lt;/b&gt;</ept> winter.</seg></tuv>
    </tu>
    <tu>
      <tuv lang="DE"><seg>Ich habe das gleiche Problem mit meinem Fahrrad.</seg></tuv>
      <tuv lang="EN-us"><seg>I have the <hi>very same</hi> problem with my bike.</seg></tuv>
    </tu>
    <tu><tuv xml:lang="de"><seg>Nur Deutsch.</seg></tuv></tu>
    <tu>
      <tuv xml:lang="fr"><seg>Merci beaucoup.</seg></tuv>
      <tuv xml:lang="en"><seg>Thank you very much.</seg></tuv>
    </tu>
  </body>
</tmx>
"""


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DRAGOMAN_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def _runtime(data_dir) -> tuple[Runtime, ScriptedLLM]:
    model = ScriptedLLM(reply=lambda prompt: to_english(last_line_after(prompt, "German")))
    settings = Settings(backend="llama-server", translate_preset="gemma3-270m",
                        data_dir=data_dir, warm_up=False)  # fmt: skip
    return Runtime(settings, model_factory=lambda *_: model), model


def _translate(runtime: Runtime, text: str):
    request = TranslateRequest(text, "en", "de", "text")
    return asyncio.run(translate_document(runtime.translator(), request))


def test_imported_translations_are_used_as_they_are_and_as_examples(
    tmp_path, data_dir, monkeypatch, capsys
) -> None:
    (tmp_path / "work.tmx").write_text(TMX, encoding="utf-8")
    code, _, err = run_cli(
        ["memory", "import", str(tmp_path / "work.tmx"), "--from", "de", "--to", "en"],
        monkeypatch,
        capsys,
    )
    assert (code, err.strip()) == (0, "imported 2 translations (de → en) from work.tmx")
    runtime, model = _runtime(data_dir)
    same = _translate(runtime, "Ich habe das gleiche  Problem mit meinem Fahrrad.")
    assert (same.text, same.status, model.prompts) == (
        "I have the very same problem with my bike.",
        "ok",
        [],
    )
    _translate(runtime, "Der Reifen ist seit dem Winter kaputt.")
    assert model.prompts[0].endswith(
        "German: Der Reifen ist seit dem letzten Winter kaputt.\n"
        "English: The tyre has been flat since last winter.\n\n"
        "German: Der Reifen ist seit dem Winter kaputt.\nEnglish:"
    )


def test_a_persons_translation_wins_over_the_models_own(tmp_path, data_dir, monkeypatch, capsys):
    runtime, model = _runtime(data_dir)
    first = _translate(runtime, "Ich habe das gleiche Problem mit meinem Fahrrad.")
    assert first.text != "I have the very same problem with my bike." and len(model.prompts) == 1
    (tmp_path / "work.tmx").write_text(TMX, encoding="utf-8")
    run_cli(["memory", "import", str(tmp_path / "work.tmx"), "--from", "de-DE", "--to", "en"],
            monkeypatch, capsys)  # fmt: skip
    again = _translate(_runtime(data_dir)[0], "Ich habe das gleiche Problem mit meinem Fahrrad.")
    assert again.text == "I have the very same problem with my bike."


BOMB = """<?xml version="1.0"?>
<!DOCTYPE tmx [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
]>
<tmx version="1.4"><header/><body><tu>
<tuv xml:lang="de"><seg>&b;</seg></tuv><tuv xml:lang="en"><seg>x</seg></tuv>
</tu></body></tmx>
"""


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (BOMB, ["--from", "de", "--to", "en"], "declares a document type of its own"),
        ("<tmx><body><tu>", ["--from", "de", "--to", "en"], "not a readable TMX file"),
        (TMX, ["--from", "de", "--to", "ja"], "no unit of bad.tmx holds both de and ja text"),
        (TMX, ["--from", "de", "--to", "xx-nope"], "unsupported language code 'xx-nope'"),
    ],
)
def test_bad_files_get_one_readable_line(
    tmp_path, data_dir, monkeypatch, capsys, content, args, message
) -> None:
    (tmp_path / "bad.tmx").write_text(content, encoding="utf-8")
    code, _, err = run_cli(["memory", "import", str(tmp_path / "bad.tmx"), *args],
                           monkeypatch, capsys)  # fmt: skip
    assert code != 0 and message in err and len(err.strip().splitlines()) == 1, err
