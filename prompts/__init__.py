"""Prompt files and the one small loader that reads them.

Files are named `<task>.<style>.<role>.md`; data used to render prompts (language names,
few-shot examples) lives beside them as TOML. Templates use f-string syntax: only `{name}`
is a variable, so write literal braces as `{{` and `}}`.
"""

from __future__ import annotations

import hashlib
import tomllib
from functools import cache
from importlib.resources import files

from langchain_core.prompts import ChatPromptTemplate, PromptTemplate

STYLES = ("chat", "completion", "raw")


def _read(name: str) -> str:
    return files(__name__).joinpath(name).read_text(encoding="utf-8")


@cache
def load_text(task: str, style: str, role: str) -> str:
    """Return the raw text of one prompt file."""
    return _read(f"{task}.{style}.{role}.md").rstrip("\n")


@cache
def load_data(name: str) -> dict:
    """Return a TOML data file shipped with the prompts."""
    return tomllib.loads(_read(f"{name}.toml"))


def load_template(task: str, style: str) -> PromptTemplate | ChatPromptTemplate:
    """Build the LangChain template for `task` in `style` (chat: system + user; else one prompt)."""
    if style == "chat":
        return ChatPromptTemplate.from_messages(
            [
                ("system", load_text(task, style, "system")),
                ("human", load_text(task, style, "user")),
            ]
        )
    if style in STYLES:
        return PromptTemplate.from_template(load_text(task, style, "prompt"))
    raise ValueError(f"unknown prompt style {style!r}; expected one of {', '.join(STYLES)}")


def has_prompt(task: str, style: str) -> bool:
    """Whether `task` has its prompt files for `style` (a per-language task may not)."""
    role = "system" if style == "chat" else "prompt"
    return f"{task}.{style}.{role}.md" in prompt_files()


def prompt_files() -> list[str]:
    """List every prompt file name shipped in this package."""
    return sorted(
        p.name
        for p in files(__name__).iterdir()
        if p.name.endswith(".md") and p.name.count(".") == 3
    )


@cache
def prompt_version(task: str) -> str:
    """Return a short hash of every file of `task`, so caches notice when a prompt changes."""
    digest = hashlib.sha256()
    for name in prompt_files() + sorted(
        p.name for p in files(__name__).iterdir() if p.name.endswith(".toml")
    ):
        if name.startswith(f"{task}.") or name == "languages.toml":
            digest.update(name.encode() + b"\0" + _read(name).encode())
    return digest.hexdigest()[:12]
