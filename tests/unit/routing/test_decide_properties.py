"""Properties of the routing decision over generated filings, real places and the shipped rules."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.routing.domain.decide import Assignment, Filing, NeedsTriage, decide
from services.routing.domain.rules import CATEGORIES, SUBJECT_KINDS, load_rules
from shared.places.gazetteer import load_gazetteer
from shared.places.units import build_registry

pytestmark = pytest.mark.unit

gazetteer = load_gazetteer()
registry = build_registry(gazetteer)
rules = load_rules(Path(__file__).resolve().parents[3] / "deploy" / "routing-rules.yaml")

CRIMES = ["drugs", "theft", "violence", "domestic_violence", "traffic", "police_misconduct"]
ADMINISTRATIVE = ["land_dispute", "public_services", "flood_relief", "nuisance", "corruption"]
NOT_POLICE = sorted(SUBJECT_KINDS - {"police_station"})
district_codes = st.sampled_from([d.code for d in gazetteer.districts()])
commune_codes = st.sampled_from([c.code for c in gazetteer.communes()])


@st.composite
def places(draw: st.DrawFn) -> tuple[str | None, str | None, str | None]:
    """A consistent location, known down to the province, district or commune."""
    commune = draw(commune_codes)
    depth = draw(st.integers(0, 3))
    return (
        f"KH-{int(commune[:2])}" if depth > 0 else None,
        commune[:4] if depth > 1 else None,
        commune if depth > 2 else None,
    )


@st.composite
def any_places(draw: st.DrawFn) -> tuple[str | None, str | None, str | None]:
    """Any combination of codes: known or not, consistent or contradicting."""
    province = draw(st.none() | st.sampled_from([p.iso for p in gazetteer.provinces()]) | st.just("KH-30"))
    district = draw(st.none() | district_codes | st.just("9999"))
    commune = draw(st.none() | commune_codes | st.just("120913"))
    return province, district, commune


filings = st.builds(
    lambda place, category, confidential, subject: Filing(
        province=place[0],
        district=place[1],
        commune=place[2],
        category=category,
        confidential=confidential,
        subject_kind=subject,
    ),
    place=places() | any_places(),
    category=st.none() | st.sampled_from(sorted(CATEGORIES)) | st.just("hoverboards"),
    confidential=st.booleans(),
    subject=st.none() | st.sampled_from(sorted(SUBJECT_KINDS)),
)


@settings(max_examples=500, deadline=None)
@given(filings)
def test_every_filing_gets_exactly_one_decision(filing: Filing) -> None:
    decision = decide(filing, registry, rules)
    assert isinstance(decision, Assignment) != isinstance(decision, NeedsTriage)
    assert decision.rule
    assert decision.reason
    assert decision.rule.startswith("triage/") == isinstance(decision, NeedsTriage)
    assert decide(filing, registry, rules) == decision


@settings(max_examples=300, deadline=None)
@given(filings)
def test_the_assigned_unit_lies_in_the_filings_province(filing: Filing) -> None:
    decision = decide(filing, registry, rules)
    if isinstance(decision, Assignment):
        assert decision.unit.province == filing.province
        assert decision.unit.id in registry


@settings(max_examples=300, deadline=None)
@given(filings.map(lambda f: replace(f, confidential=True)))
def test_a_confidential_complaint_never_goes_below_the_province(filing: Filing) -> None:
    decision = decide(filing, registry, rules)
    if isinstance(decision, Assignment):
        assert decision.unit.kind in ("provincial_police", "provincial_hall")
        assert decision.level == 1
        assert decision.rule.endswith("/confidential")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CRIMES), district_codes, st.none() | st.sampled_from(NOT_POLICE), st.booleans())
def test_a_crime_with_a_known_district_goes_to_its_police(
    category: str, code: str, subject: str | None, with_commune: bool
) -> None:
    inside = gazetteer.communes(code)
    filing = Filing(
        category=category,
        province=f"KH-{int(code[:2])}",
        district=code,
        commune=inside[0].code if with_commune and inside else None,
        subject_kind=subject,
    )
    decision = decide(filing, registry, rules)
    assert isinstance(decision, Assignment)
    assert (decision.unit.id, decision.level, decision.rule) == (f"police:{code}", 0, "crime/district")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ADMINISTRATIVE), commune_codes, st.booleans(), st.none() | st.sampled_from(NOT_POLICE))
def test_an_administrative_complaint_with_a_known_commune_goes_to_its_office(
    category: str, code: str, with_district: bool, subject: str | None
) -> None:
    filing = Filing(
        category=category,
        province=f"KH-{int(code[:2])}",
        district=code[:4] if with_district else None,
        commune=code,
        subject_kind=subject,
    )
    decision = decide(filing, registry, rules)
    assert isinstance(decision, Assignment)
    assert (decision.unit.id, decision.level, decision.rule) == (
        f"commune:{code}",
        0,
        "administrative/commune",
    )


@settings(max_examples=200, deadline=None)
@given(filings)
def test_contradicting_codes_always_go_to_triage(filing: Filing) -> None:
    province, district, commune = filing.province, filing.district, filing.commune
    contradicts = (
        (province is not None and district is not None and not district.startswith(f"{province[3:]:0>2}"))
        or (province is not None and commune is not None and not commune.startswith(f"{province[3:]:0>2}"))
        or (district is not None and commune is not None and not commune.startswith(district))
    )
    if contradicts:
        assert isinstance(decide(filing, registry, rules), NeedsTriage)
