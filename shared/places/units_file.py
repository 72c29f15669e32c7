"""Operator overrides of the unit registry, read from ``deploy/units.yaml``.

An entry whose id is a generated unit changes it: give only the fields that change (names, phone,
parent); its kind and province stay. An entry with a new id adds a unit and must give every field.
Every problem in the file is reported at once, with the entry it comes from.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.events.types import UnitKind
from shared.places.gazetteer import Gazetteer
from shared.places.units import (
    UNIT_ID,
    Phone,
    Unit,
    UnitRegistry,
    generated_units,
)
from shared.service.configuration import ConfigurationError

_NEW_UNIT_FIELDS = ("kind", "name_en", "name_km", "parent")


class UnitsFileError(ConfigurationError):
    """The units file cannot be used; ``problems`` lists every reason."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(f"{source}: " + "; ".join(self.problems))


class UnitEntry(BaseModel):
    """One entry of the units file: an id plus the fields to set."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=UNIT_ID)
    kind: UnitKind | None = None
    name_en: str | None = Field(default=None, min_length=1)
    name_km: str | None = Field(default=None, min_length=1)
    province: str | None = None
    parent: str | None = None
    phone: Phone | None = None


class UnitsFile(BaseModel):
    """The whole units file."""

    model_config = ConfigDict(extra="forbid")

    units: list[UnitEntry] = []


def _where(loc: tuple[int | str, ...]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")


def read_units_file(path: Path) -> list[UnitEntry]:
    """The entries of a units file; raises :class:`UnitsFileError` when it is unreadable or malformed."""
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise UnitsFileError(str(path), [str(exc)]) from exc
    try:
        return UnitsFile.model_validate(raw or {}).units
    except ValidationError as exc:
        problems = [f"{_where(e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise UnitsFileError(str(path), problems) from exc


def apply_overrides(
    gazetteer: Gazetteer, entries: Sequence[UnitEntry], source: str = "units"
) -> UnitRegistry:
    """The generated units changed and extended by ``entries``; raises :class:`UnitsFileError`."""
    generated = {unit.id: unit for unit in generated_units(gazetteer)}
    units = dict(generated)
    problems: list[str] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        where = f"units[{i}] ({entry.id})"
        if entry.id in seen:
            problems.append(f"{where}: the id appears more than once")
        seen.add(entry.id)
        given = entry.model_dump(exclude_unset=True)
        base = generated.get(entry.id)
        if base is not None:
            changed = [f for f in ("kind", "province") if f in given and given[f] != getattr(base, f)]
            if changed:
                problems.append(f"{where}: a generated unit's {' and '.join(changed)} cannot change")
                continue
            units[entry.id] = base.model_copy(update=given)
            continue
        missing = [f for f in _NEW_UNIT_FIELDS if given.get(f) is None]
        if entry.kind != "working_group" and given.get("province") is None:
            missing.append("province")
        if missing:
            problems.append(f"{where}: a new unit needs {', '.join(missing)}")
            continue
        try:
            units[entry.id] = Unit.model_validate(given)
        except ValidationError as exc:
            problems += [f"{where}.{_where(e['loc'])}: {e['msg']}" for e in exc.errors()]
    registry = UnitRegistry(units.values())
    for unit_id in seen & units.keys():
        problems += _check_placement(registry, units[unit_id], gazetteer)
    if problems:
        raise UnitsFileError(source, problems)
    return registry


def _check_placement(registry: UnitRegistry, unit: Unit, gazetteer: Gazetteer) -> list[str]:
    if unit.province is not None and gazetteer.province(unit.province) is None:
        return [f"{unit.id}: {unit.province} is not a province"]
    if unit.parent is not None and unit.parent not in registry:
        return [f"{unit.id}: parent {unit.parent} is not a unit"]
    top = registry.ladder(unit.id)[-1]
    if top.parent is not None:
        return [f"{unit.id}: its parents loop back at {top.parent}"]
    if top.kind != "working_group":
        return [f"{unit.id}: its parents do not lead to a working group"]
    return []


def load_units(path: Path, gazetteer: Gazetteer) -> UnitRegistry:
    """The unit registry: generated units with the overrides of the units file at ``path``."""
    return apply_overrides(gazetteer, read_units_file(path), str(path))
