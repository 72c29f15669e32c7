"""The working group's unit picker: units found by a piece of their Khmer or English name or their id."""

from __future__ import annotations

from collections.abc import Iterable

from shared.places.records import unify_khmer
from shared.places.units import Unit

MAX_FOUND = 20
# Higher rungs first: the working group mostly hands a case to a provincial unit.
_KIND_ORDER = {
    "working_group": 0,
    "provincial_police": 1,
    "provincial_hall": 1,
    "police": 2,
    "local_authority": 3,
}


class UnitFinder:
    """Units with their search keys made once (about 1,900 units)."""

    def __init__(self, units: Iterable[Unit]) -> None:
        ordered = sorted(units, key=lambda unit: (_KIND_ORDER[unit.kind], unit.id))
        self._keyed = [(unit, _key(f"{unit.id} {unit.name_en} {unit.name_km}")) for unit in ordered]

    def find(self, query: str, limit: int = MAX_FOUND) -> list[Unit]:
        """Units whose id, English or Khmer name holds every word of ``query`` (any letter case, Khmer
        spelling variants unified); higher rungs first, then by id. Nothing for an empty query."""
        words = [_key(word) for word in query.split()]
        if not words:
            return []
        found: list[Unit] = []
        for unit, key in self._keyed:
            if all(word in key for word in words):
                found.append(unit)
                if len(found) == limit:
                    break
        return found


def _key(text: str) -> str:
    return unify_khmer(text).casefold()
