"""The inbox page's read: a unit's open cases from the case status projection, each with its running SLA
clock from the SLA service's table, most urgent first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.intake.console.urgency import by_urgency
from services.intake.domain.case import OPEN_FOR_UNIT
from services.intake.sla_deadlines import RunningClock, SlaDeadlines
from shared.events.types import ResolvedLocation
from shared.eventstore import HasPool

EXCERPT = 280  # characters of the complaint shown in the list; the case page shows it whole

_OPEN_CASES = f"""
SELECT case_id, reference, status, category, location, left(text, {EXCERPT}) AS excerpt,
       length(text) > {EXCERPT} AS cut, filed_at
FROM intake_cases WHERE unit_id = $1 AND status = ANY($2::text[])
"""


@dataclass(frozen=True, slots=True)
class InboxCase:
    case_id: UUID
    reference: str
    status: str
    category: str | None
    location: ResolvedLocation
    excerpt: str
    cut: bool
    filed_at: datetime
    clock: RunningClock | None


class InboxQuery:
    def __init__(self, database: HasPool, deadlines: SlaDeadlines) -> None:
        self._database = database
        self._deadlines = deadlines

    async def cases(self, unit_id: str) -> list[InboxCase]:
        rows = await self._database.pool.fetch(_OPEN_CASES, unit_id, list(OPEN_FOR_UNIT))
        clocks = await self._deadlines.clocks([row["case_id"] for row in rows])
        cases = [
            InboxCase(
                case_id=row["case_id"],
                reference=row["reference"],
                status=row["status"],
                category=row["category"],
                location=ResolvedLocation.model_validate_json(row["location"]),
                excerpt=row["excerpt"],
                cut=row["cut"],
                filed_at=row["filed_at"],
                clock=clocks.get(row["case_id"]),
            )
            for row in rows
        ]
        return by_urgency(
            cases, lambda case: case.clock.due_at if case.clock else None, lambda case: case.filed_at
        )
