"""The working group queue's read: cases in triage and cases at level 2 not resolved, oldest first, with
the page's filters, from the case status projection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.intake.console.queue_filters import QueueFilter
from services.intake.sla_deadlines import RunningClock, SlaDeadlines
from shared.events.types import ResolvedLocation, UnitRef
from shared.eventstore import HasPool

LIMIT = 200  # a page of the queue; the filters narrow it down
EXCERPT = 200

_QUEUE = f"""
SELECT case_id, reference, status, level, category, location, unit, verdict, filed_at,
       left(text, {EXCERPT}) AS excerpt, length(text) > {EXCERPT} AS cut
FROM intake_cases
WHERE (status = 'needs_triage' OR (level = 2 AND status <> 'resolved'))
  AND ($1::text IS NULL OR province = $1) AND ($2::text IS NULL OR category = $2)
  AND ($3::timestamptz IS NULL OR filed_at < $3)
ORDER BY filed_at, case_id LIMIT $4
"""


@dataclass(frozen=True, slots=True)
class QueueCase:
    case_id: UUID
    reference: str
    status: str
    level: int | None
    category: str | None
    location: ResolvedLocation
    unit: UnitRef | None
    verdict: str | None
    filed_at: datetime
    excerpt: str
    cut: bool
    clock: RunningClock | None


class QueueQuery:
    def __init__(self, database: HasPool, deadlines: SlaDeadlines) -> None:
        self._database = database
        self._deadlines = deadlines

    async def cases(self, chosen: QueueFilter, now: datetime) -> list[QueueCase]:
        rows = await self._database.pool.fetch(
            _QUEUE, chosen.province, chosen.category, chosen.filed_before(now), LIMIT
        )
        clocks = await self._deadlines.clocks([row["case_id"] for row in rows])
        return [
            QueueCase(
                case_id=row["case_id"],
                reference=row["reference"],
                status=row["status"],
                level=row["level"],
                category=row["category"],
                location=ResolvedLocation.model_validate_json(row["location"]),
                unit=UnitRef.model_validate_json(row["unit"]) if row["unit"] else None,
                verdict=row["verdict"],
                filed_at=row["filed_at"],
                excerpt=row["excerpt"],
                cut=row["cut"],
                clock=clocks.get(row["case_id"]),
            )
            for row in rows
        ]
