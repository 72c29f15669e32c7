"""Which unit a case rises to, and the unit objects escalations carry."""

from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest

from services.sla.domain.policy import Ladder, LadderLevel, load_policy
from services.sla.units import EscalationUnits, UnknownUnitError
from shared.events import Actor, Envelope
from shared.places.gazetteer import load_gazetteer
from shared.places.units import UnitRegistry
from shared.places.units_file import load_units

pytestmark = pytest.mark.unit

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
LADDER = load_policy(DEPLOY / "sla-policy.yaml").ladder


@pytest.fixture(scope="module")
def registry() -> UnitRegistry:
    return load_units(DEPLOY / "units.yaml", load_gazetteer())


@pytest.fixture(scope="module")
def units(registry: UnitRegistry) -> EscalationUnits:
    return EscalationUnits(registry, LADDER)


@pytest.mark.parametrize(
    ("unit_id", "level", "expected"),
    [
        ("police:1203", 1, "provincial-police:KH-12"),
        ("commune:120101", 1, "provincial-hall:KH-12"),
        ("police:1701", 1, "provincial-police:KH-17"),
        ("provincial-police:KH-12", 2, "moi-working-group"),
        ("police:1203", 2, "moi-working-group"),
        ("police:unknown", 1, "moi-working-group"),
    ],
)
def test_next_unit_follows_the_unit_registry(
    units: EscalationUnits, unit_id: str, level: int, expected: str
) -> None:
    assert units.next_unit(unit_id, level) == expected


def test_refs_come_from_the_registry(units: EscalationUnits) -> None:
    ref = units.ref("provincial-hall:KH-12")
    assert (ref.id, ref.kind, ref.name, ref.province) == (
        "provincial-hall:KH-12", "provincial_hall", "Phnom Penh Capital Hall", "KH-12",
    )  # fmt: skip


def test_a_unit_the_registry_does_not_know_is_taken_from_the_case_events(units: EscalationUnits) -> None:
    unit = {"id": "police:tourist", "kind": "police", "name": "Tourist police", "province": "KH-17"}
    assignment = Envelope(
        event_id=uuid4(), type="CaseAssigned", schema_version=1, case_id=uuid4(), version=1,
        occurred_at=datetime(2026, 1, 12, tzinfo=UTC), producer="routing",
        actor=Actor(kind="system", id="routing"), data={"unit": unit, "level": 0, "rule": "r", "reason": "r"},
    )  # fmt: skip
    assert units.ref("police:tourist", [assignment]).model_dump() == unit
    with pytest.raises(UnknownUnitError, match="police:nowhere"):
        units.ref("police:nowhere", [assignment])


def test_a_ladder_naming_an_unknown_unit_is_refused(registry: UnitRegistry) -> None:
    ladder = Ladder((LadderLevel(level=0, name="unit"), LadderLevel(level=1, name="top", unit="moi-nobody")))
    with pytest.raises(UnknownUnitError, match="moi-nobody"):
        EscalationUnits(registry, ladder)
