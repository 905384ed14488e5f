"""Rendering translation prompts for each prompt style, from the files in prompts/."""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.prompt_values import ChatPromptValue, PromptValue

from dragoman.prompts import load_data, load_template

from ..languages import language_name
from ..profile import ModelProfile
from .fewshot import Example


def few_shot_prefix(source: str, target: str) -> str:
    """Render the fixed few-shot examples for a language pair (empty when one side has none)."""
    sentences = load_data("translate.examples")["sentences"]
    if source not in sentences or target not in sentences or source == target:
        return ""
    src_name, tgt_name = language_name(source), language_name(target)
    pairs = zip(sentences[source], sentences[target], strict=True)
    return "".join(f"{src_name}: {s}\n{tgt_name}: {t}\n\n" for s, t in pairs)


def remembered_examples(examples: Sequence[Example], source: str, target: str) -> str:
    """Render fuzzy matches from the memory as completion-style example pairs, closest last."""
    src_name, tgt_name = language_name(source), language_name(target)
    return "".join(f"{src_name}: {e.source}\n{tgt_name}: {e.translation}\n\n" for e in examples)


def memory_note(examples: Sequence[Example], source: str, target: str) -> str:
    """Render fuzzy matches from the memory as a paragraph of a chat prompt's notes."""
    if not examples:
        return ""
    parts = load_data("translate.notes")
    names = {"source_name": language_name(source), "target_name": language_name(target)}
    entries = "\n".join(
        parts["memory_entry"].format(source=e.source, translation=e.translation, **names)
        for e in examples
    )
    return parts["memory"].format(entries=entries)


def notes(context: str | None, glossary: dict[str, str] | None) -> str:
    """Render the optional context and glossary paragraphs of chat prompts."""
    parts = load_data("translate.notes")
    out = ""
    if context:
        out += parts["context"].format(context=" ".join(context.split()))
    if glossary:
        entries = "\n".join(
            parts["glossary_entry"].format(term=term, rendering=rendering)
            for term, rendering in glossary.items()
        )
        out += parts["glossary"].format(entries=entries)
    return out


def fold_system_into_user(prompt: PromptValue) -> PromptValue:
    """Move system messages into the first user turn, for chat templates without a system role."""
    messages = prompt.to_messages()
    system = "\n\n".join(str(m.content) for m in messages if isinstance(m, SystemMessage))
    rest: list[BaseMessage] = [m for m in messages if not isinstance(m, SystemMessage)]
    if system and rest and isinstance(rest[0], HumanMessage):
        rest[0] = HumanMessage(content=f"{system}\n\n{rest[0].content}")
    return ChatPromptValue(messages=rest)


def _common(source: str, target: str, note: str) -> dict[str, str]:
    return {
        "source": source,
        "target": target,
        "source_name": language_name(source),
        "target_name": language_name(target),
        "notes": note,
    }


def single_prompt(
    profile: ModelProfile,
    text: str,
    source: str,
    target: str,
    note: str = "",
    examples: Sequence[Example] = (),
) -> PromptValue:
    """The prompt for one segment, in the profile's style, with the memory's examples if any
    (after the fixed ones, so that the fixed prefix stays cached on the server)."""
    fixed = few_shot_prefix(source, target)
    values = {
        **_common(source, target, note + memory_note(examples, source, target)),
        "text": text,
        "examples": fixed + remembered_examples(examples, source, target),
    }
    template = load_template("translate", profile.style)
    prompt = template.invoke({k: v for k, v in values.items() if k in template.input_variables})
    return _fold(profile, prompt)


def batch_prompt(
    profile: ModelProfile,
    texts: list[str],
    source: str,
    target: str,
    note: str = "",
    task: str = "translate_batch",
) -> PromptValue:
    """The chat prompt for several segments as numbered lines `[n] text`, n from 1."""
    lines = "\n".join(f"[{n}] {text}" for n, text in enumerate(texts, start=1))
    template = load_template(task, "chat")
    return _fold(profile, template.invoke({**_common(source, target, note), "lines": lines}))


def _fold(profile: ModelProfile, prompt: PromptValue) -> PromptValue:
    if profile.style == "chat" and not profile.system_role:
        return fold_system_into_user(prompt)
    return prompt
