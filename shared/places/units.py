"""The units complaints are routed to, built from the gazetteer (docs/contract.md §Case events unit ids).

Every district has a police inspectorate (``police:<district>``), every commune an office
(``commune:<commune>``), every province a police commissariat and a provincial hall, and above them all
sits the Ministry of Interior working group. A unit's ``parent`` is the next rung of the escalation
ladder: a commune's is the provincial hall, because districts have no local-authority unit here.
Operators change or add units through ``deploy/units.yaml`` (see :mod:`units_file`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shared.events.types import UnitKind, UnitRef
from shared.places.gazetteer import Gazetteer
from shared.places.records import Province

WORKING_GROUP = "moi-working-group"
UNIT_ID = r"^[a-z][a-z0-9-]*(:[A-Za-z0-9-]+)?$"
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def _e164(value: str) -> str:
    if not _E164.fullmatch(value):
        raise ValueError(f"{value!r} is not an E.164 phone number (for example +85512345678)")
    return value


Phone = Annotated[str, AfterValidator(_e164)]


class Unit(BaseModel):
    """A unit that can own a case. ``province`` is an ISO code, None for the working group."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=UNIT_ID)
    kind: UnitKind
    name_en: str = Field(min_length=1)
    name_km: str = Field(min_length=1)
    province: str | None = Field(default=None, pattern=r"^KH-[1-9][0-9]?$")
    parent: str | None = None
    phone: Phone | None = None

    def ref(self) -> UnitRef:
        """The unit as case events carry it (``CaseAssigned.data.unit``)."""
        return UnitRef(id=self.id, kind=self.kind, name=self.name_en, province=self.province)


# Rung of the escalation ladder each kind of unit stands on (docs/architecture.md §Case lifecycle:
# 0, 1 provincial, 2 working group).
LEVELS: dict[UnitKind, int] = {
    "police": 0,
    "local_authority": 0,
    "provincial_police": 1,
    "provincial_hall": 1,
    "working_group": 2,
}


def police_id(district: str) -> str:
    """Id of a district police inspectorate."""
    return f"police:{district}"


def commune_id(commune: str) -> str:
    """Id of a commune or sangkat office."""
    return f"commune:{commune}"


def provincial_police_id(province: str) -> str:
    """Id of a provincial police commissariat (``province`` is an ISO code)."""
    return f"provincial-police:{province}"


def provincial_hall_id(province: str) -> str:
    """Id of a provincial (or capital) hall (``province`` is an ISO code)."""
    return f"provincial-hall:{province}"


class UnitRegistry:
    """Units by id. Immutable once built; build a new one to apply other overrides."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self._units = {unit.id: unit for unit in units}
        self._refs: dict[str, UnitRef] = {}

    def get(self, unit_id: str) -> Unit | None:
        """The unit with this id, or None."""
        return self._units.get(unit_id)

    def ref(self, unit_id: str) -> UnitRef | None:
        """The unit with this id as case events carry it, or None; made once per unit (routing asks for one
        with every decision)."""
        ref = self._refs.get(unit_id)
        if ref is None:
            unit = self._units.get(unit_id)
            if unit is None:
                return None
            ref = self._refs[unit_id] = unit.ref()
        return ref

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self._units

    def __iter__(self) -> Iterator[Unit]:
        return iter(self._units.values())

    def __len__(self) -> int:
        return len(self._units)

    def ladder(self, unit_id: str) -> list[Unit]:
        """The unit and its parents up to the working group (empty if the unit is unknown)."""
        chain: list[Unit] = []
        unit = self._units.get(unit_id)
        while unit is not None and unit not in chain:  # the membership test guards a cycle in overrides
            chain.append(unit)
            unit = self._units.get(unit.parent) if unit.parent else None
        return chain


def _provincial_names(province: Province) -> tuple[str, str, str, str]:
    """English and Khmer names of a province's police commissariat and hall."""
    # The capital's Khmer name already starts with រាជធានី ("capital"); provinces take ខេត្ត.
    if province.name_km.startswith("រាជធានី"):
        en, km, hall = f"{province.name_en} Municipal", province.name_km, "Capital Hall"
    else:
        en, km, hall = f"{province.name_en} Provincial", f"ខេត្ត{province.name_km}", "Provincial Hall"
    return f"{en} Police Commissariat", f"ស្នងការដ្ឋាននគរបាល{km}", f"{province.name_en} {hall}", f"សាលា{km}"


def generated_units(gazetteer: Gazetteer) -> list[Unit]:
    """The units the gazetteer implies, before operator overrides."""
    units = [
        Unit(
            id=WORKING_GROUP,
            kind="working_group",
            name_en="Ministry of Interior working group",
            name_km="ក្រុមការងារក្រសួងមហាផ្ទៃ",
        )
    ]
    for p in gazetteer.provinces():
        police, hall = provincial_police_id(p.iso), provincial_hall_id(p.iso)
        police_en, police_km, hall_en, hall_km = _provincial_names(p)
        units += [
            Unit(
                id=police,
                kind="provincial_police",
                name_en=police_en,
                name_km=police_km,
                province=p.iso,
                parent=WORKING_GROUP,
            ),
            Unit(
                id=hall,
                kind="provincial_hall",
                name_en=hall_en,
                name_km=hall_km,
                province=p.iso,
                parent=WORKING_GROUP,
            ),
        ]
        units += [
            Unit(
                id=police_id(d.code),
                kind="police",
                name_en=f"{d.name_en} District Police Inspectorate",
                name_km=f"អធិការដ្ឋាននគរបាល{d.name_km}",
                province=p.iso,
                parent=police,
            )
            for d in gazetteer.districts(p.iso)
        ]
        units += [
            Unit(
                id=commune_id(c.code),
                kind="local_authority",
                name_en=f"{c.name_en} Commune Office",
                name_km=f"សាលាឃុំ/សង្កាត់{c.name_km}",
                province=p.iso,
                parent=hall,
            )
            for c in gazetteer.communes(p.iso)
        ]
    return units


def build_registry(gazetteer: Gazetteer, overrides: Iterable[Unit] = ()) -> UnitRegistry:
    """Generated units with operator overrides applied (an override replaces the unit with its id)."""
    units = {unit.id: unit for unit in generated_units(gazetteer)}
    units.update((unit.id, unit) for unit in overrides)
    return UnitRegistry(units.values())
