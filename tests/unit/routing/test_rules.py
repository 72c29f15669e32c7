"""Routing rules: the shipped file, validation, and first-match order."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.routing.domain.rules import CATEGORIES, RulesFileError, load_rules, parse_rules

pytestmark = pytest.mark.unit

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"


def test_the_shipped_rules_cover_every_category_but_other() -> None:
    rules = load_rules(DEPLOY / "routing-rules.yaml")
    covered = {c for c in CATEGORIES if rules.match(c, None) is not None}
    assert covered == CATEGORIES - {"other"}


@pytest.mark.parametrize(
    ("category", "subject", "rule", "authority"),
    [
        ("drugs", None, "crime", "police"),
        ("police_misconduct", "police_station", "crime", "police"),
        ("land_dispute", "commune_office", "administrative", "local_authority"),
        ("corruption", "police_station", "corruption-by-police", "police"),
        ("corruption", "commune_office", "administrative", "local_authority"),
        ("corruption", None, "administrative", "local_authority"),
    ],
)
def test_the_first_matching_rule_decides(
    category: str, subject: str | None, rule: str, authority: str
) -> None:
    found = load_rules(DEPLOY / "routing-rules.yaml").match(category, subject)
    assert found is not None
    assert (found.id, found.authority) == (rule, authority)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (
            {"rules": [{"id": "a", "categories": ["drug"], "authority": "police"}]},
            "unknown categories ['drug']",
        ),
        ({"rules": [{"id": "a", "categories": ["drugs"], "authority": "army"}]}, "rules/0/authority"),
        (
            {"rules": [{"id": "a", "categories": ["drugs"], "subjects": ["temple"], "authority": "police"}]},
            "temple",
        ),
        ({"rules": [{"id": "a", "categories": [], "authority": "police"}]}, "rules/0/categories"),
        ({"rules": []}, "rules"),
        (
            {"rules": [{"id": "a", "categories": ["drugs"], "authority": "police"}] * 2},
            "rule ids must be unique",
        ),
        (None, "valid dictionary"),
    ],
)
def test_bad_rules_are_refused_with_the_reason(raw: object, problem: str) -> None:
    with pytest.raises(RulesFileError, match="routing rules") as caught:
        parse_rules(raw)
    assert problem in str(caught.value)


def test_an_unreadable_rules_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError):
        load_rules(tmp_path / "absent.yaml")
