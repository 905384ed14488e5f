"""Passive voice from a dependency parse: deterministic, no LLM needed to find it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Dependency labels of the English models (ClearNLP style) that mark a passive clause.
_PASSIVE_DEPS = {"auxpass", "nsubjpass", "csubjpass"}
_VERB_GROUP_DEPS = {"aux", "auxpass", "neg"}
# Participles that, without a "by" agent, describe a state or a feeling rather than an action
# done to the subject ("I am interested in it", "The room was crowded"): adjectives, not passives.
ADJECTIVAL = {
    "amazed", "amused", "annoyed", "ashamed", "bored", "born", "concerned", "confused", "crowded",
    "delighted", "depressed", "determined", "disappointed", "divorced", "dressed", "embarrassed",
    "engaged", "excited", "exhausted", "fascinated", "filled", "frightened", "frustrated",
    "interested", "involved", "located", "married", "obsessed", "opposed",
    "overrated", "overwhelmed", "packed", "pleased", "prepared", "qualified", "related",
    "relieved", "satisfied", "scared", "shocked", "situated", "stressed", "stunned", "surprised",
    "terrified", "thrilled", "tired", "underrated", "upset", "worried",
}  # fmt: skip
# The forms of the passive auxiliaries, read from the words themselves: proofreading's parse
# leaves out spaCy's lemmatizer (a fifth of its time on every text).
_BE = {
    "be", "am", "is", "are", "was", "were", "been", "being", "'s", "’s", "'re", "’re", "'m", "’m"
}  # fmt: skip
_GET = {"get", "gets", "got", "gotten", "getting"}
_WORDS = "|".join(sorted(w for w in _BE | _GET if w[0].isalpha()))
_AUXILIARY = re.compile(rf"\b(?:{_WORDS})(?:n['’]t)?\b|\w['’](?:s|re|m)\b", re.IGNORECASE)
# Degree words make a participle an adjective: "very tired", "so excited".
_DEGREE = {"very", "so", "too", "quite", "really", "extremely", "more", "most", "less", "rather"}


@dataclass(frozen=True)
class Passive:
    """A passive verb group: character span in the parsed text, its kind and agent if named."""

    start: int
    end: int
    kind: str  # agentless | by-agent | get-passive
    agent: str | None = None


def _verb_group(head: Any) -> tuple[int, int]:
    """The span from the first auxiliary (or negation) left of the participle to the participle."""
    parts = [
        child for child in head.children if child.dep_ in _VERB_GROUP_DEPS and child.i < head.i
    ]
    first = min([head, *parts], key=lambda t: t.i)
    return first.idx, head.idx + len(head.text)


def _agent(head: Any) -> str | None:
    for child in head.children:
        if child.dep_ == "agent":
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                phrase = objects[0].subtree
                tokens = list(phrase)
                return head.doc[tokens[0].i : tokens[-1].i + 1].text
    return None


def _is_agented_complement(token: Any) -> bool:
    """'I was surprised by it': parsed as be + complement, but its agent makes it passive."""
    return (
        token.dep_ == "acomp"
        and token.tag_ == "VBN"
        and (token.head.lower_ in _BE or token.head.lower_ in _GET)
        and any(c.dep_ == "agent" for c in token.children)
    )


def _is_adjectival(head: Any, agent: str | None) -> bool:
    """A state, not an action: a stative participle without an agent, or one graded by degree."""
    if agent or any(c.lower_ == "by" for c in head.children):
        return False
    graded = any(c.dep_ == "advmod" and c.lower_ in _DEGREE for c in head.children)
    return graded or head.lower_ in ADJECTIVAL


def _fronted(sentence: Any) -> Passive | None:
    """'Attached is the report': a participle first, then a form of 'be'."""
    tokens = [t for t in sentence if not t.is_punct and not t.is_space]
    if len(tokens) >= 3 and tokens[0].tag_ == "VBN" and tokens[1].lower_ in _BE:
        return Passive(tokens[0].idx, tokens[1].idx + len(tokens[1].text), "agentless")
    return None


def may_hold_passive(text: str) -> bool:
    """Whether `text` has a word a passive needs (a form of "be" or "get"): where none is, no
    parse can find one."""
    return _AUXILIARY.search(text) is not None


def find_passives(doc: Any) -> list[Passive]:
    """Find passive clauses in a parsed spaCy Doc, in text order."""
    heads = {}
    for token in doc:
        if token.dep_ in _PASSIVE_DEPS and token.head.tag_ in ("VBN", "VBD"):
            heads[token.head.i] = token.head
        elif _is_agented_complement(token):
            heads[token.i] = token
    found = []
    for head in heads.values():
        start, end = _verb_group(head)
        if head.dep_ == "acomp":  # "was surprised by": the verb "be" is the participle's head
            start = min(start, head.head.idx)
        passive_aux = [c for c in head.children if c.dep_ == "auxpass"]
        agent = _agent(head)
        if _is_adjectival(head, agent):
            continue
        if passive_aux and passive_aux[0].lower_ in _GET:
            kind = "get-passive"
        elif agent:
            kind = "by-agent"
        else:
            kind = "agentless"
        found.append(Passive(start, end, kind, agent))
    for sentence in doc.sents:
        fronted = _fronted(sentence)
        if fronted and not any(p.start <= fronted.start < p.end for p in found):
            found.append(fronted)
    return sorted(found, key=lambda p: p.start)
