"""The unit registry: generated from the gazetteer, changed and extended by the operator's units file."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.places.gazetteer import load_gazetteer
from shared.places.units import WORKING_GROUP, build_registry
from shared.places.units_file import UnitEntry, UnitsFileError, apply_overrides, load_units

pytestmark = pytest.mark.unit

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
gazetteer = load_gazetteer()
registry = build_registry(gazetteer)


def test_one_unit_per_district_commune_and_provincial_office() -> None:
    assert len(registry) == 1 + 2 * 25 + 210 + 1661
    kinds = [unit.kind for unit in registry]
    assert kinds.count("police") == 210
    assert kinds.count("local_authority") == 1661


def test_generated_units_follow_the_public_ids() -> None:
    police = registry.get("police:1203")
    assert police is not None
    assert (police.kind, police.province, police.parent) == ("police", "KH-12", "provincial-police:KH-12")
    assert police.name_en == "Prampir Meakkakra District Police Inspectorate"
    assert police.name_km == "អធិការដ្ឋាននគរបាល៧មករា"
    commune = registry.get("commune:120301")
    assert commune is not None
    assert (commune.kind, commune.province, commune.parent) == (
        "local_authority",
        "KH-12",
        "provincial-hall:KH-12",
    )
    hall = registry.get("provincial-hall:KH-2")
    assert hall is not None
    assert (hall.name_en, hall.name_km, hall.parent) == (
        "Battambang Provincial Hall",
        "សាលាខេត្តបាត់ដំបង",
        WORKING_GROUP,
    )
    capital_police = registry.get("provincial-police:KH-12")
    assert capital_police is not None
    assert capital_police.name_km == "ស្នងការដ្ឋាននគរបាលរាជធានីភ្នំពេញ"
    group = registry.get(WORKING_GROUP)
    assert group is not None
    assert (group.kind, group.province, group.parent) == ("working_group", None, None)


def test_every_ladder_ends_at_the_working_group_within_three_rungs() -> None:
    for unit in registry:
        ladder = registry.ladder(unit.id)
        assert ladder[-1].id == WORKING_GROUP
        assert len(ladder) <= 3
        assert {u.province for u in ladder[:-1]} <= {unit.province}


def test_the_shipped_units_file_loads() -> None:
    assert len(load_units(DEPLOY / "units.yaml", gazetteer)) == len(registry)


def test_overrides_change_and_add_units(tmp_path: Path) -> None:
    path = tmp_path / "units.yaml"
    path.write_text(
        """
units:
  - id: police:1203
    phone: "+85512345678"
  - id: police:tourist-kh-17
    kind: police
    name_en: Siem Reap Tourist Police
    name_km: នគរបាលទេសចរណ៍ខេត្តសៀមរាប
    province: KH-17
    parent: provincial-police:KH-17
""",
        encoding="utf-8",
    )
    units = load_units(path, gazetteer)
    changed = units.get("police:1203")
    assert changed is not None
    assert (changed.phone, changed.name_en) == (
        "+85512345678",
        "Prampir Meakkakra District Police Inspectorate",
    )
    added = units.get("police:tourist-kh-17")
    assert added is not None
    assert [u.id for u in units.ladder(added.id)] == [added.id, "provincial-police:KH-17", WORKING_GROUP]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("units: [{id: 'police:1203', phone: '012 345 678'}]", "units[0].phone"),
        ("units: [{id: 'police:1203', kind: local_authority}]", "kind cannot change"),
        ("units: [{id: 'police:1203', province: KH-2}]", "province cannot change"),
        ("units: [{id: 'police:1203', parent: 'nowhere'}]", "parent nowhere is not a unit"),
        ("units: [{id: 'police:x', kind: police, name_en: X}]", "needs name_km, parent, province"),
        ("units: [{id: 'police:1203', colour: blue}]", "units[0].colour"),
        ("units: [{id: 'Police 1203'}]", "units[0].id"),
        ("units: [{id: 'police:1203'}, {id: 'police:1203'}]", "more than once"),
        ("units: [{id: 'provincial-police:KH-2', parent: 'police:0203'}]", "loop back"),
        ("units: {id: x}", "units"),
        ("units: [", "while parsing"),
    ],
)
def test_bad_units_files_are_refused_with_the_reason(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "units.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UnitsFileError) as caught:
        load_units(path, gazetteer)
    assert problem in str(caught.value)
    assert str(path) in str(caught.value)


def test_every_problem_is_reported_at_once() -> None:
    entries = [UnitEntry(id="police:1203", kind="local_authority"), UnitEntry(id="police:new")]
    with pytest.raises(UnitsFileError) as caught:
        apply_overrides(gazetteer, entries)
    assert len(caught.value.problems) == 2


def test_a_missing_units_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UnitsFileError):
        load_units(tmp_path / "absent.yaml", gazetteer)
