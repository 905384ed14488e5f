"""Every prompt file declares exactly the variables the README table lists."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest
from langchain_core.prompts import PromptTemplate

from dragoman import prompts
from dragoman.prompts import load_data, load_template, prompt_files, prompt_version


def documented_variables() -> dict[str, set[str]]:
    readme = files("dragoman.prompts").joinpath("README.md").read_text(encoding="utf-8")
    table = {}
    for name, variables in re.findall(r"^\| (\S+\.md) \| ([^|]*) \|$", readme, re.M):
        table[name] = {v.strip() for v in variables.split(",") if v.strip()}
    return table


def test_prompt_files_are_all_documented() -> None:
    assert set(prompt_files()) == set(documented_variables())


@pytest.mark.parametrize("name", prompt_files())
def test_prompt_variables_match_readme(name: str) -> None:
    template = PromptTemplate.from_template(prompts._read(name))
    assert set(template.input_variables) == documented_variables()[name]


@pytest.mark.parametrize("style", ["chat", "completion", "raw"])
def test_translate_template_builds_for_every_style(style: str) -> None:
    template = load_template("translate", style)
    assert "text" in template.input_variables


def test_unknown_style_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown prompt style"):
        load_template("translate", "haiku")


def test_few_shot_examples_are_parallel() -> None:
    sentences = load_data("translate.examples")["sentences"]
    lengths = {code: len(lines) for code, lines in sentences.items()}
    assert len(set(lengths.values())) == 1, lengths
    names = load_data("languages")["names"]
    assert set(sentences) <= set(names)


def test_prompt_version_is_stable_short_and_per_task() -> None:
    prompt_version.cache_clear()
    first = prompt_version("translate")
    prompt_version.cache_clear()  # computed afresh from the files, not served from the cache
    assert prompt_version("translate") == first
    assert re.fullmatch(r"[0-9a-f]{12}", first)
    assert prompt_version("proofread") != first
