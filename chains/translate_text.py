"""Translate one plain-text segment with any LangChain model, in the prompt style of its preset."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseLanguageModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompt_values import ChatPromptValue, PromptValue
from langchain_core.runnables import Runnable, RunnableLambda

from prompts import load_data, load_template

from .detect import resolve_source
from .languages import language_name, normalize_code


@dataclass(frozen=True)
class PromptStyle:
    """How a model wants to be prompted: `chat`, `completion` (few-shot) or `raw`."""

    style: str = "chat"
    # Some chat templates (Gemma's) have no system role; then instructions join the first user turn.
    system_role: bool = True


def few_shot_prefix(source: str, target: str) -> str:
    """Render the fixed few-shot examples for a language pair (empty when one side has none)."""
    sentences = load_data("translate.examples")["sentences"]
    if source not in sentences or target not in sentences or source == target:
        return ""
    src_name, tgt_name = language_name(source), language_name(target)
    pairs = zip(sentences[source], sentences[target], strict=True)
    return "".join(f"{src_name}: {s}\n{tgt_name}: {t}\n\n" for s, t in pairs)


def prompt_inputs(request: dict[str, Any]) -> dict[str, str]:
    """Complete a {text, source, target} request with everything the templates use."""
    source, target = normalize_code(request["source"]), normalize_code(request["target"])
    return {
        "text": request["text"],
        "source": source,
        "target": target,
        "source_name": language_name(source),
        "target_name": language_name(target),
        "examples": few_shot_prefix(source, target),
    }


def fold_system_into_user(prompt: PromptValue) -> PromptValue:
    """Move system messages into the first user turn, for chat templates without a system role."""
    messages = prompt.to_messages()
    system = "\n\n".join(str(m.content) for m in messages if isinstance(m, SystemMessage))
    rest: list[BaseMessage] = [m for m in messages if not isinstance(m, SystemMessage)]
    if system and rest and isinstance(rest[0], HumanMessage):
        rest[0] = HumanMessage(content=f"{system}\n\n{rest[0].content}")
    return ChatPromptValue(messages=rest)


def clean_translation(text: str) -> str:
    """Trim the whitespace models put around an answer."""
    return text.strip()


def build_prompt(style: PromptStyle) -> Runnable:
    """Build the runnable that turns a request into the prompt the model receives."""
    prompt: Runnable = RunnableLambda(prompt_inputs) | load_template("translate", style.style)
    if style.style == "chat" and not style.system_role:
        prompt = prompt | RunnableLambda(fold_system_into_user)
    return prompt


def build_translate_text_chain(model: BaseLanguageModel, style: PromptStyle) -> Runnable:
    """Build a chain from {text, source, target} to the translated text."""
    return build_prompt(style) | model | StrOutputParser() | RunnableLambda(clean_translation)


def translate_lines(text: str, source: str, target: str, chain: Runnable) -> str:
    """Translate each non-blank line of `text`, keeping blank lines and indentation as they were."""
    source = resolve_source(source, text)
    lines = text.splitlines(keepends=True)
    out = []
    for line in lines:
        body = line.strip()
        if not body or normalize_code(source) == normalize_code(target):
            out.append(line)
            continue
        start = line.index(body)
        translated = chain.invoke({"text": body, "source": source, "target": target})
        out.append(line[:start] + translated + line[start + len(body) :])
    return "".join(out)
