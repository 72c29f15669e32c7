"""Which unit a case rises to, and the unit objects escalation events carry, from the unit registry.

The unit objects are those of docs/contract.md §Case events.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from services.sla.domain.policy import Ladder
from shared.events import Envelope
from shared.events.types import UnitRef
from shared.places.units import LEVELS, UnitRegistry
from shared.service.configuration import ConfigurationError

log = logging.getLogger(__name__)


class UnknownUnitError(ConfigurationError):
    """A unit an escalation needs is neither in the registry nor in the case's events."""


class EscalationUnits:
    """The unit registry as the SLA timer uses it."""

    def __init__(self, registry: UnitRegistry, ladder: Ladder) -> None:
        missing = sorted(rung.unit for rung in ladder.root if rung.unit and rung.unit not in registry)
        if missing:
            raise UnknownUnitError(f"the SLA ladder names units the unit registry does not know: {missing}")
        self._registry = registry
        self._top_unit = ladder.top_unit
        # The registry never changes: work each answer out once.
        self._refs: dict[str, UnitRef] = {}
        self._next: dict[tuple[str, int], str] = {}

    def next_unit(self, unit_id: str, level: int) -> str:
        """The first of the unit's parents standing at ``level`` or above (police:1203 at level 1 gives
        provincial-police:KH-12, a commune office the provincial hall); the top unit when there is none."""
        found = self._next.get((unit_id, level))
        if found is None:
            found = self._next[(unit_id, level)] = self._parent_at(unit_id, level)
        return found

    def _parent_at(self, unit_id: str, level: int) -> str:
        for parent in self._registry.ladder(unit_id)[1:]:
            if LEVELS[parent.kind] >= level:
                return parent.id
        if unit_id not in self._registry:
            log.warning("unit %s is not in the unit registry: its cases rise to %s", unit_id, self._top_unit)
        return self._top_unit

    def ref(self, unit_id: str, stream: Sequence[Envelope] = ()) -> UnitRef:
        """The unit object of ``unit_id``: from the registry, else as the case's events last carried it."""
        ref = self._refs.get(unit_id)
        if ref is not None:
            return ref
        unit = self._registry.get(unit_id)
        if unit is not None:
            ref = self._refs[unit_id] = unit.ref()
            return ref
        for event in reversed(stream):
            carried = event.data.get("unit") if event.type == "CaseAssigned" else None
            if event.type == "CaseEscalated":
                carried = event.data.get("to_unit")
            if isinstance(carried, dict) and carried.get("id") == unit_id:
                return UnitRef.model_validate(carried)
        raise UnknownUnitError(f"unit {unit_id} is not in the unit registry nor in the case's events")
