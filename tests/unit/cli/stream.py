"""A case stream built from payloads, for the pure parts of the command-line tool."""

from __future__ import annotations

import uuid

from shared.events import CaseAssigned, Envelope, EventData
from shared.events.types import UnitRef
from shared.testing.events import new_event

CASE = uuid.UUID("5d1e0000-0000-4000-8000-000000000001")
POLICE_1203 = UnitRef(id="police:1203", kind="police", name="7 Makara District Police", province="KH-12")
PROVINCIAL = UnitRef(id="provincial-police:KH-12", kind="provincial_police", name="Phnom Penh Police",
                     province="KH-12")  # fmt: skip
WORKING_GROUP = UnitRef(id="moi-working-group", kind="working_group", name="MoI working group")


def stream(*payloads: EventData) -> list[Envelope]:
    """``payloads`` as the envelopes of one case, versions 1, 2, ..."""
    return [new_event(data).envelope(CASE, version) for version, data in enumerate(payloads, 1)]


def assigned(unit: UnitRef = POLICE_1203, level: int = 0) -> CaseAssigned:
    return CaseAssigned(unit=unit, level=level, rule="crime", reason="theft in the district")
