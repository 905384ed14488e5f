"""LanguageTool's names for what Dragoman finds, and the options clients filter them with."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from ..errors import InputError
from .issues import Check, Issue

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
RULE_PAGE = "https://community.languagetool.org/rule/show/{id}?lang=en"


@dataclass(frozen=True)
class Category:
    """A LanguageTool category: its display name and the issue type clients colour by."""

    id: str
    name: str
    issue_type: str


# Categories whose issues belong to the style check; every other one is grammar.
STYLE_CATEGORIES = frozenset({"STYLE", "REDUNDANCY", "TYPOGRAPHY"})


@dataclass(frozen=True)
class RuleName:
    """What an issue is called: rule id, category, and whether only picky checking shows it."""

    id: str
    category: str
    description: str
    picky: bool = False

    @property
    def check(self) -> Check:
        """The check an issue of this rule belongs to: style for its style categories."""
        return "style" if self.category in STYLE_CATEGORIES else "grammar"

    def issue(self, start: int, end: int, message: str, replacements: tuple[str, ...]) -> Issue:
        """An issue of this rule over `start`–`end` of the checked text."""
        return Issue(
            start,
            end - start,
            self.check,
            self.id,
            message,
            replacements,
            short_message=self.description,
            rule_category=self.category,
            picky=self.picky,
        )


class Taxonomy:
    """The naming tables of taxonomy.toml."""

    def __init__(self, data: dict) -> None:
        self.categories = {
            key: Category(key, value["name"], value["issue_type"])
            for key, value in data["categories"].items()
        }
        self._harper = data["harper"]
        self._own = data["own"]
        self._model = data["model"]["types"]
        self._spelling = data["spelling"]
        self._grammalecte = data["grammalecte"]
        self.legitimate_repeats = frozenset(self._harper["legitimate_repeats"])
        self.lt_ids = set(self._harper["ids"].values()) | set(self._harper["spelling"].values())
        self.lt_ids |= set(self._spelling["ids"].values()) | {self._spelling["default"]}

    def category(self, key: str) -> Category:
        """The category `key`, or Miscellaneous."""
        return self.categories.get(key, self.categories["MISC"])

    def harper(self, rule: str, kind: str, description: str, dialect: str) -> RuleName:
        """The name of a Harper lint from rule `rule` of kind `kind`."""
        if rule == "SpellCheck":
            rule_id = self._harper["spelling"].get(dialect, self._harper["ids"][rule])
        else:
            rule_id = self._harper["ids"].get(rule) or _CAMEL.sub("_", rule).upper()
        category = self._harper["kinds"].get(kind, "MISC")
        return RuleName(rule_id, category, description, rule in self._harper["picky"])

    def speller(self, language: str) -> RuleName:
        """The name of the Hunspell spell checker of `language` (a variant such as de-CH, or de)."""
        ids = self._spelling["ids"]
        rule_id = ids.get(language) or ids.get(language.split("-")[0]) or self._spelling["default"]
        return RuleName(rule_id, "TYPOS", self._spelling["description"])

    @property
    def spelling_message(self) -> str:
        """What a Hunspell spelling issue says."""
        return str(self._spelling["message"])

    def grammalecte(self, error_type: str) -> RuleName:
        """The name of a Grammalecte error of type `error_type` (its sType, such as gn)."""
        types = self._grammalecte["types"]
        entry = types.get(error_type) or types["other"]
        picky = error_type in self._grammalecte["picky"]
        return RuleName(entry["id"], entry["category"], entry["description"], picky)

    def own(self, rule_id: str) -> RuleName:
        """The name of one of Dragoman's own checks."""
        entry = self._own[rule_id]
        return RuleName(rule_id, entry["category"], entry["description"])

    def model(self, edit_type: str) -> RuleName:
        """The name of a model correction of ERRANT type `edit_type` (such as R:VERB:SVA)."""
        kind = edit_type.split(":", 1)[-1] if ":" in edit_type else edit_type
        entry = self._model.get(kind) or self._model.get(kind.split(":")[0]) or self._model["OTHER"]
        return RuleName("MODEL_" + kind.replace(":", "_"), entry["category"], entry["description"])

    def listed(self) -> list[RuleName]:
        """Dragoman's own rules and the model's correction types (Harper's are named as found)."""
        own = [self.own(rule_id) for rule_id in self._own]
        return own + [self.model(kind) for kind in self._model]

    def urls(self, rule_id: str) -> list[str]:
        """Pages that explain `rule_id`: LanguageTool's, where the rule is LanguageTool's own."""
        return [RULE_PAGE.format(id=rule_id)] if rule_id in self.lt_ids else []


@cache
def taxonomy() -> Taxonomy:
    """The naming tables, read once."""
    text = files(__package__).joinpath("taxonomy.toml").read_text(encoding="utf-8")
    return Taxonomy(tomllib.loads(text))


def _names(value: str | list[str] | None) -> frozenset[str]:
    items = value.split(",") if isinstance(value, str) else value or []
    return frozenset(item.strip() for item in items if item.strip())


@dataclass(frozen=True)
class RuleFilter:
    """LanguageTool's rule options: which rules and categories to show, and how picky to be."""

    enabled_rules: frozenset[str] = field(default_factory=frozenset)
    disabled_rules: frozenset[str] = field(default_factory=frozenset)
    enabled_categories: frozenset[str] = field(default_factory=frozenset)
    disabled_categories: frozenset[str] = field(default_factory=frozenset)
    enabled_only: bool = False
    picky: bool = False

    @classmethod
    def parse(
        cls,
        enabled_rules: str | list[str] | None = None,
        disabled_rules: str | list[str] | None = None,
        enabled_categories: str | list[str] | None = None,
        disabled_categories: str | list[str] | None = None,
        enabled_only: bool = False,
        level: str = "default",
    ) -> RuleFilter:
        """Read the options as LanguageTool takes them (comma-separated ids or lists)."""
        if level not in ("default", "picky"):
            raise InputError(f"level must be 'default' or 'picky', not {level!r}")
        rule_filter = cls(
            _names(enabled_rules),
            _names(disabled_rules),
            _names(enabled_categories),
            _names(disabled_categories),
            enabled_only,
            level == "picky",
        )
        if enabled_only and not (rule_filter.enabled_rules or rule_filter.enabled_categories):
            raise InputError("enabledOnly needs enabledRules or enabledCategories")
        return rule_filter

    def enables(self, issue: Issue) -> bool:
        """Whether the client asked for this issue by its rule or category."""
        return issue.rule in self.enabled_rules or issue.rule_category in self.enabled_categories

    def wants(self, issue: Issue) -> bool:
        """Whether `issue` is shown under these options."""
        if self.enabled_only:
            return self.enables(issue)
        if issue.rule in self.disabled_rules or issue.rule_category in self.disabled_categories:
            return False
        return not issue.picky or self.picky or self.enables(issue)
