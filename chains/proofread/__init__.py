"""Grounded proofreading: deterministic passive-voice and style checks, and LLM grammar
corrections turned into issues whose offsets Dragoman computes itself."""

from .check import proofread
from .grammar import Corrector
from .issues import CHECKS, Check, Issue, ProofreadResult
from .passive import Passive, find_passives
from .rules import rule_issues

__all__ = [
    "CHECKS",
    "Check",
    "Corrector",
    "Issue",
    "Passive",
    "ProofreadResult",
    "find_passives",
    "proofread",
    "rule_issues",
]
