"""The CLI: effective config, dry runs, and one readable line with a non-zero exit on bad set-up."""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from dragoman.chains.formats import load_file
from dragoman.services.cli import main
from tests.documents import limits
from tests.fakes import free_port


def run_cli(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> tuple[int, Any, Any]:
    monkeypatch.setattr(sys, "argv", ["dragoman", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_config_prints_effective_settings_and_models(monkeypatch, capsys) -> None:
    monkeypatch.setenv("DRAGOMAN_BACKEND", "ollama")
    code, out, _ = run_cli(["config", "--json"], monkeypatch, capsys)
    effective = json.loads(out)
    assert code == 0
    assert effective["settings"]["backend"] == "ollama"
    assert effective["models"]["translate"]["model"] == "gemma2:2b"
    assert effective["models"]["proofread"]["preset"] == "mistral-nemo"


def test_config_hides_secrets(monkeypatch, capsys) -> None:
    monkeypatch.setenv("DRAGOMAN_API_KEY", "sk-secret")
    code, out, _ = run_cli(["config"], monkeypatch, capsys)
    assert code == 0 and "sk-secret" not in out and "api_key" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["config", "--backend", "nope"], "unknown backend 'nope'"),
        (
            ["prepare", "--backend", "embedded", "--model", "/nonexistent/model.gguf"],
            "model file not found",
        ),
    ],
)
def test_bad_configuration_is_one_line_and_exit_2(args, expected, monkeypatch, capsys) -> None:
    code, out, err = run_cli(args, monkeypatch, capsys)
    assert code == 2
    assert err.strip().count("\n") == 0 and expected in err and err.startswith("error: ")


def test_serve_fails_fast_on_configuration_errors_not_on_outages(monkeypatch, capsys) -> None:
    """An unknown backend or a missing model file is a one-line exit 2; an unreachable server
    is not an error at all (tests/test_pool.py starts serve before its backend)."""
    code, _, err = run_cli(["serve", "--backend", "nonesuch"], monkeypatch, capsys)
    assert code == 2 and err.strip().splitlines()[-1].startswith("error: unknown backend")
    code, _, err = run_cli(
        ["serve", "--backend", "embedded", "--model", "/nowhere/model.gguf"], monkeypatch, capsys
    )
    assert code == 2 and "/nowhere/model.gguf" in err.strip().splitlines()[-1]


def test_prepare_still_refuses_an_unreachable_backend(monkeypatch, capsys) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    code, _, err = run_cli(
        ["prepare", "--backend", "llama-server", "--base-url", url], monkeypatch, capsys
    )
    assert code == 3
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: model backend at ") and "127.0.0.1" in last


def test_serve_refuses_an_unreachable_database_and_config_hides_its_password(
    monkeypatch, capsys
) -> None:
    url = f"postgresql+psycopg://dragoman:secret@127.0.0.1:{free_port()}/dragoman"
    monkeypatch.setenv("DRAGOMAN_DATABASE_URL", url)
    code, _, err = run_cli(["serve", "--backend", "pseudo"], monkeypatch, capsys)
    assert code == 3 and err.count("\n") == 1 and "secret" not in err
    assert err.startswith("error: database at postgresql+psycopg://dragoman:***@127.0.0.1:")
    code, out, _ = run_cli(["config", "--json"], monkeypatch, capsys)
    assert code == 0 and "secret" not in out and "database_url" in out


def test_bad_environment_value_is_one_line(monkeypatch, capsys) -> None:
    monkeypatch.setenv("DRAGOMAN_PORT", "eighty")
    code, _, err = run_cli(["config"], monkeypatch, capsys)
    assert code == 2 and err.startswith("error: invalid configuration: port")


def test_translate_dry_run_prints_prompt_and_request(tmp_path: Path, monkeypatch, capsys) -> None:
    source = tmp_path / "post.txt"
    source.write_text("Guten Morgen!\n", encoding="utf-8")
    args = ["translate", str(source), "--to", "en", "--from", "de",
            "--backend", "llama-server", "--dry-run"]  # fmt: skip
    code, out, _ = run_cli(args, monkeypatch, capsys)
    assert code == 0
    prompt, request = out.split("--- request ---")
    assert '<source lang="de">\nGuten Morgen!\n</source>' in prompt
    sent = json.loads(request)
    assert sent["url"] == "http://127.0.0.1:8080/v1/chat/completions"
    assert sent["json"]["cache_prompt"] is True
    assert sent["json"]["model"] == "gemma-2-2b-it"
    assert sent["headers"]["authorization"] == "***"


def test_translate_embedded_dry_run_needs_no_model(tmp_path: Path, monkeypatch, capsys) -> None:
    source = tmp_path / "post.txt"
    source.write_text("Guten Morgen!\n", encoding="utf-8")
    monkeypatch.setenv("DRAGOMAN_MODEL_DIR", str(tmp_path / "no-models-here"))
    code, out, _ = run_cli(
        ["translate", str(source), "--to", "en", "--from", "de", "--dry-run"], monkeypatch, capsys
    )
    assert code == 0
    sent = json.loads(out.split("--- request ---")[1])
    assert sent["prompt"].endswith("German: Guten Morgen!\nEnglish:")
    assert sent["stop"] == ["\n"] and sent["temperature"] == 0.0


def test_translate_with_pseudo_backend_from_stdin(monkeypatch, capsys) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Hallo Welt, wie geht es?\n")))
    code, out, _ = run_cli(
        ["translate", "-", "--to", "en", "--backend", "pseudo"], monkeypatch, capsys
    )
    assert code == 0 and out == "[Ĥàĺĺö Ŵéĺţ, ŵîé ĝéĥţ éš?]\n"


def test_translate_rejects_undecodable_input(tmp_path: Path, monkeypatch, capsys) -> None:
    source = tmp_path / "latin1.txt"
    source.write_bytes("Grüße".encode("latin-1"))
    code, _, err = run_cli(
        ["translate", str(source), "--to", "en", "--backend", "pseudo"], monkeypatch, capsys
    )
    assert code == 2 and "not valid UTF-8" in err


def test_translate_missing_file_is_one_line(monkeypatch, capsys) -> None:
    code, _, err = run_cli(
        ["translate", "/nonexistent.txt", "--to", "en", "--backend", "pseudo"], monkeypatch, capsys
    )
    assert code == 1 and "No such file" in err and err.count("\n") == 1


def test_translate_html_file_keeps_markup(tmp_path: Path, monkeypatch, capsysbinary) -> None:
    page = tmp_path / "post.html"
    page.write_bytes('<p>Schöne <a href="/x">Grüße</a>!</p>'.encode("iso-8859-1"))
    code, out, _ = run_cli(
        ["translate", str(page), "--to", "en", "--backend", "pseudo"], monkeypatch, capsysbinary
    )
    assert code == 0
    # Part of a page, declaring nothing: it stays in the legacy encoding it came in, and what
    # that lacks is a character reference, so it reads right inside the page it belongs to.
    encoding = load_file(page.read_bytes(), page.name, limits()).encoding  # type: ignore[attr-defined]
    assert html.unescape(out.decode(encoding)) == '<p>[Šçĥöñé <a href="/x">Ĝŕüßé</a>!]</p>'
    assert "&#" in out.decode(encoding) and "ö".encode(encoding) in out


def test_translate_markdown_by_extension(tmp_path: Path, monkeypatch, capsys) -> None:
    doc = tmp_path / "readme.md"
    doc.write_text("Siehe `make test` und [Doku](https://x.org).\n", encoding="utf-8")
    code, out, _ = run_cli(
        ["translate", str(doc), "--to", "en", "--from", "de", "--backend", "pseudo"],
        monkeypatch,
        capsys,
    )
    assert code == 0 and "`make test`" in out and "](https://x.org)" in out and "\\[Šîéĥé" in out


def test_proofread_prints_line_col_rule_message_and_fix(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    mail = tmp_path / "mail.txt"
    mail.write_text("Hi,\n\nI saw the the cat. It was eaten.\n-- \nthe the sig\n", encoding="utf-8")
    code, out, err = run_cli(
        ["proofread", str(mail), "--format", "email", "--backend", "pseudo"], monkeypatch, capsys
    )
    assert code == 0
    assert out.splitlines() == [
        f"{mail}:3:7 ENGLISH_WORD_REPEAT_RULE Did you mean to repeat this word? → 'the'",
        f"{mail}:3:23 PASSIVE_VOICE Passive voice: who does this? Consider the active voice. (“was eaten”)",
    ]
    assert "2 issues in 2 sentences" in err


def test_proofread_json(tmp_path: Path, monkeypatch, capsys) -> None:
    doc = tmp_path / "notes.md"
    doc.write_text("I saw the the `a a` cat.\n", encoding="utf-8")
    code, out, _ = run_cli(
        ["proofread", str(doc), "--json", "--backend", "pseudo"], monkeypatch, capsys
    )
    (issue,) = json.loads(out)
    assert code == 0 and issue["offset"] == 6 and issue["text"] == "the the"


@pytest.mark.parametrize("option", [["--dry-run"], ["--format", "html"]])
def test_single_file_options_are_refused_with_an_output_folder(
    option: list[str], tmp_path: Path, monkeypatch, capsys
) -> None:
    source = tmp_path / "post.txt"
    source.write_text("Hallo Welt.\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["translate", str(source), "--to", "en", "-o", str(out), "--backend", "pseudo", *option]
    code, _, err = run_cli(args, monkeypatch, capsys)
    assert code == 2 and option[0] in err and "-o" in err and err.count("\n") == 1
    assert not out.exists()  # nothing was translated or written


def test_a_file_already_in_the_target_language_is_reported_kept_not_translated(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    # Before #35 translating an English file into English reported "2 ok".
    text = "This post is already written in English, as you can see here.\n\n"
    text += "And this second paragraph is in English as well, for sure.\n"
    source = tmp_path / "post.txt"
    source.write_text(text, encoding="utf-8")
    report = tmp_path / "run.json"
    args = ["translate", str(source), "--to", "en", "--backend", "pseudo"]
    code, out, err = run_cli(
        [*args, "-o", str(tmp_path / "out"), "--report", str(report)], monkeypatch, capsys
    )
    assert code == 0, err
    assert json.loads(report.read_text())["totals"] == {"kept": 2}
    assert (tmp_path / "out" / "post.txt").read_text(encoding="utf-8") == text
    code, out, err = run_cli(args, monkeypatch, capsys)
    assert code == 0 and out == text
    assert "2 segments kept as they were (already in en)" in err


def test_a_named_encoding_reads_a_legacy_text_file(tmp_path: Path, monkeypatch, capsys) -> None:
    source = tmp_path / "latin1.txt"
    source.write_bytes("Grüße aus München, schöne Tage!".encode("latin-1"))
    args = ["translate", str(source), "--to", "en", "--backend", "pseudo"]
    code, out, err = run_cli([*args, "--encoding", "latin-1"], monkeypatch, capsys)
    assert code == 0 and "Ĝŕüßé" in out, err
    code, _, err = run_cli([*args, "--encoding", "klingon"], monkeypatch, capsys)
    assert code == 2 and err.strip() == "error: unknown encoding 'klingon'"
