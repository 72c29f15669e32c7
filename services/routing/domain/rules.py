"""Routing rules: which authority handles a complaint, read from ``deploy/routing-rules.yaml``.

A rule maps categories (optionally only for some subject kinds) to an authority: the police or the
local authority. Rules are tried in file order and the first that matches wins, so a narrow rule
("corruption by a police station goes to the police") goes before a broad one. A category no rule
names, such as ``other``, goes to the working group's triage queue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from shared.service.configuration import ConfigurationError

Authority = Literal["police", "local_authority"]

# docs/contract.md §Submissions: the values upstream channels may send.
CATEGORIES = frozenset(
    {
        "drugs",
        "theft",
        "violence",
        "domestic_violence",
        "traffic",
        "police_misconduct",
        "corruption",
        "land_dispute",
        "public_services",
        "flood_relief",
        "nuisance",
        "other",
    }
)
SUBJECT_KINDS = frozenset(
    {"police_station", "commune_office", "district_office", "provincial_office", "other"}
)


class RulesFileError(ConfigurationError):
    """The routing rules file cannot be used."""


class Rule(BaseModel):
    """Categories (and, when given, subject kinds) that go to one authority."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    categories: frozenset[str] = Field(min_length=1)
    subjects: frozenset[str] | None = None
    authority: Authority
    description: str = ""

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, value: frozenset[str]) -> frozenset[str]:
        unknown = sorted(value - CATEGORIES)
        if unknown:
            raise ValueError(f"unknown categories {unknown}; known: {sorted(CATEGORIES)}")
        return value

    @field_validator("subjects")
    @classmethod
    def _known_subjects(cls, value: frozenset[str] | None) -> frozenset[str] | None:
        unknown = sorted((value or frozenset()) - SUBJECT_KINDS)
        if unknown:
            raise ValueError(f"unknown subject kinds {unknown}; known: {sorted(SUBJECT_KINDS)}")
        return value

    def matches(self, category: str, subject: str | None) -> bool:
        """True when this rule routes a complaint of this category about this kind of subject."""
        return category in self.categories and (self.subjects is None or subject in self.subjects)


class RoutingRules(BaseModel):
    """The ordered rule list; the first matching rule decides."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rules: tuple[Rule, ...] = Field(min_length=1)
    _matched: dict[tuple[str, str | None], Rule | None] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _unique_ids(self) -> RoutingRules:
        ids = [rule.id for rule in self.rules]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"rule ids must be unique: {repeated} repeat")
        return self

    def match(self, category: str, subject: str | None) -> Rule | None:
        """The first rule for this category and subject kind, or None."""
        key = (category, subject)
        if key not in self._matched:  # a dozen categories and five subjects: remembered, not searched again
            self._matched[key] = next((rule for rule in self.rules if rule.matches(category, subject)), None)
        return self._matched[key]


def parse_rules(raw: Any, source: str = "routing rules") -> RoutingRules:
    """Rules from already-parsed YAML; raises :class:`RulesFileError` listing every problem."""
    try:
        return RoutingRules.model_validate(raw)
    except ValidationError as exc:
        problems = ["/".join(map(str, e["loc"])) + f": {e['msg']}" for e in exc.errors()]
        raise RulesFileError(f"{source}: " + "; ".join(problems)) from exc


def load_rules(path: Path) -> RoutingRules:
    """Rules from a YAML file such as ``deploy/routing-rules.yaml``."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RulesFileError(f"{path}: {exc}") from exc
    return parse_rules(raw, str(path))
