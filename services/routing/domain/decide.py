"""The routing decision: which unit a filed complaint goes to first, or triage when none can be chosen.

``decide`` is a pure function of the filing, the unit registry and the rules. Every outcome carries a
rule id (``crime/district``, ``administrative/province``, ``triage/no-category``, ...) and an English
reason a responder or the working group can read. Locations are gazetteer codes whose leading digits
name their parents (commune ``120301`` lies in district ``1203``, in province ``KH-12``), so a
contradiction between them shows in the codes alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from services.routing.domain.rules import RoutingRules, Rule
from shared.events.types import UnitRef
from shared.places.records import iso_of
from shared.places.units import (
    LEVELS,
    UnitRegistry,
    commune_id,
    police_id,
    provincial_hall_id,
    provincial_police_id,
)


@dataclass(frozen=True, slots=True)
class Filing:
    """What routing needs from ``ComplaintFiled``: category, resolved location codes (as the event's
    validation left them: ``KH-n``, 4 and 6 digits), confidentiality and the kind of subject."""

    category: str | None = None
    province: str | None = None
    district: str | None = None
    commune: str | None = None
    confidential: bool = False
    subject_kind: str | None = None


@dataclass(frozen=True, slots=True)
class Assignment:
    """The case goes to ``unit`` at ladder ``level`` (0 the first unit, 1 the provincial level)."""

    unit: UnitRef
    level: int
    rule: str
    reason: str


@dataclass(frozen=True, slots=True)
class NeedsTriage:
    """No unit can be chosen; the working group triages the case."""

    rule: str
    reason: str


Decision = Assignment | NeedsTriage

_AUTHORITY_NAMES = {"police": "the police", "local_authority": "the local authority"}


def decide(filing: Filing, registry: UnitRegistry, rules: RoutingRules) -> Decision:
    """Route a filing: the most precise unit of the authority its category calls for, or triage."""
    if filing.category is None:
        return NeedsTriage(rule="triage/no-category", reason="The complaint has no category.")
    rule = rules.match(filing.category, filing.subject_kind)
    if rule is None:
        return NeedsTriage(
            rule="triage/no-rule", reason=f"No routing rule covers the category '{filing.category}'."
        )
    return _location_problem(filing, registry) or _assign(filing, rule, registry)


def _location_problem(filing: Filing, registry: UnitRegistry) -> NeedsTriage | None:
    problems = list(_location_problems(filing, registry))
    if not problems:
        return None
    # The first problem names the rule; the reason lists them all for the working group.
    return NeedsTriage(rule=f"triage/{problems[0][0]}", reason=" ".join(text for _, text in problems))


def _location_problems(filing: Filing, registry: UnitRegistry) -> Iterator[tuple[str, str]]:
    province, district, commune = filing.province, filing.district, filing.commune
    if province is None:
        yield "no-province", "The complaint names no province."
    elif provincial_police_id(province) not in registry:
        yield "unknown-province", f"{province} is not a known province."
    if district is not None:
        if police_id(district) not in registry:
            yield "unknown-district", f"{district} is not a known district."
        elif province is not None and iso_of(district) != province:
            yield (
                "district-outside-province",
                f"District {district} lies in {iso_of(district)}, not in {province}.",
            )
    if commune is not None:
        if commune_id(commune) not in registry:
            yield "unknown-commune", f"{commune} is not a known commune."
        elif province is not None and iso_of(commune) != province:
            yield (
                "commune-outside-province",
                f"Commune {commune} lies in {iso_of(commune)}, not in {province}.",
            )
        elif district is not None and commune[:4] != district:
            yield (
                "commune-outside-district",
                f"Commune {commune} lies in district {commune[:4]}, not in {district}.",
            )


def _assign(filing: Filing, rule: Rule, registry: UnitRegistry) -> Decision:
    # _location_problem has checked that the province, and any district and commune, are known.
    province = filing.province or ""
    handled = f"Category '{filing.category}' goes to {_AUTHORITY_NAMES[rule.authority]} (rule {rule.id})"
    police = rule.authority == "police"
    district = filing.district or (filing.commune[:4] if filing.commune else None)
    if filing.confidential:
        unit_id = provincial_police_id(province) if police else provincial_hall_id(province)
        how, why = (
            "confidential",
            "the complaint is confidential, so it goes straight to the provincial level:",
        )
    elif police and district is not None:
        unit_id, how = police_id(district), "district"
        named = "names" if filing.district else f"names commune {filing.commune} of"
        why = f"the complaint {named} district {district}, so it goes to"
    elif not police and filing.commune is not None:
        unit_id, how = commune_id(filing.commune), "commune"
        why = f"the complaint names commune {filing.commune}, so it goes to"
    elif police:
        unit_id, how = provincial_police_id(province), "province"
        why = "the complaint names no district, so it goes to"
    else:
        unit_id, how = provincial_hall_id(province), "province"
        why = "the complaint names no commune, and districts have no local-authority unit, so it goes to"
    unit = registry.ref(unit_id)
    if unit is None:  # a registry not made by build_registry may lack a unit the gazetteer implies
        return NeedsTriage(rule="triage/missing-unit", reason=f"The unit {unit_id} is not in the registry.")
    return Assignment(
        unit=unit,
        level=LEVELS[unit.kind],
        rule=f"{rule.id}/{how}",
        reason=f"{handled}; {why} {unit.name}.",
    )
