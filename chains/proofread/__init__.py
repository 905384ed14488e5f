"""Grounded proofreading: Harper's rules, passive voice from a parse, and a model's corrections
typed by ERRANT, turned into issues whose offsets Dragoman computes itself."""

from .check import proofread, proofread_stream
from .diff import Annotator
from .grammar import Corrector
from .harper import Linter
from .issues import CHECKS, Check, Issue, ProofreadResult
from .parsing import Layers, ProofreadOptions, passive_docs
from .passive import Passive, find_passives
from .rules import rule_issues
from .taxonomy import Category, RuleFilter, taxonomy
from .verify import Scorer, Verifier

__all__ = [
    "CHECKS",
    "Annotator",
    "Category",
    "Check",
    "Corrector",
    "Issue",
    "Layers",
    "Linter",
    "Passive",
    "ProofreadOptions",
    "ProofreadResult",
    "RuleFilter",
    "Scorer",
    "Verifier",
    "find_passives",
    "passive_docs",
    "proofread",
    "proofread_stream",
    "rule_issues",
    "taxonomy",
]
