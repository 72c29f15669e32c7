"""Open311's reads: cases from the case status projection, with the SLA service's current deadline.

``intake_cases`` is the projection ``GET /v1/cases/{reference}`` reads (see case_status.py); a listing by
date walks its ``filed_at`` index (sql/0003_open311.sql), newest first. The projection follows the
filings by moments; a client reading back the request it just filed would find nothing, so requests
asked by reference are folded from their streams (as the projection will fold them) until they appear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from services.intake.domain.case import CaseState, fold
from services.intake.domain.identity import is_reference
from services.intake.domain.open311_filters import RequestFilter
from services.intake.domain.open311_status import CLOSED
from services.intake.sla_deadlines import SlaDeadlines
from shared.events.types import ResolvedLocation, UnitRef
from shared.eventstore import HasPool, PostgresEventStore

LIMIT = 1000  # cases in one answer, newest first (the standard's suggested bound)
_COLUMNS = "case_id, reference, status, category, location, confidential, level, unit, filed_at, updated_at"
_LISTED = f"""
SELECT {_COLUMNS} FROM intake_cases
WHERE filed_at BETWEEN $1 AND $2
  AND ($3::text[] IS NULL OR coalesce(category, 'other') = ANY($3::text[]))
  AND ($4::bool[] IS NULL OR (status = '{CLOSED}') = ANY($4::bool[]))
ORDER BY filed_at DESC, case_id
LIMIT $5
"""
_FILED = "SELECT case_id FROM intake_references WHERE reference = ANY($1::text[])"
_BY_REFERENCE = f"""
SELECT {_COLUMNS} FROM intake_cases WHERE reference = ANY($1::text[]) ORDER BY filed_at DESC, case_id
"""


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """What Open311 shows of a case; ``expected_at`` is the SLA service's current deadline, if any."""

    case_id: UUID
    reference: str
    status: str
    category: str | None
    location: ResolvedLocation
    confidential: bool
    level: int | None
    unit: UnitRef | None
    filed_at: datetime
    updated_at: datetime
    expected_at: datetime | None = None


class Open311Queries:
    """Reads for ``GET requests``, ``requests/{id}`` and ``tokens/{token}``."""

    def __init__(self, database: HasPool) -> None:
        self._database = database
        self._deadlines = SlaDeadlines(database)

    async def requests(self, query: RequestFilter) -> list[CaseRecord]:
        """The cases the filter names (at most :data:`LIMIT`), newest first."""
        pool = self._database.pool
        if query.references is not None:
            return await self._by_references(list(query.references))
        closed = None if query.statuses is None else [s == "closed" for s in query.statuses]
        categories = None if query.categories is None else list(query.categories)
        rows = await pool.fetch(_LISTED, query.start, query.end, categories, closed, LIMIT)
        return await self._with_deadlines(rows)

    async def request(self, reference: str) -> CaseRecord | None:
        """The case with this reference (any letter case), or None."""
        found = await self._by_references([reference.strip().upper()])
        return found[0] if found else None

    async def _by_references(self, references: list[str]) -> list[CaseRecord]:
        references = [reference for reference in references if is_reference(reference)]
        pool = self._database.pool
        rows = await pool.fetch(_BY_REFERENCE, references)
        found = await self._with_deadlines(rows)
        missing = sorted(set(references) - {record.reference for record in found})
        if missing:
            case_ids = [row["case_id"] for row in await pool.fetch(_FILED, missing)]
            streams = await PostgresEventStore(pool).read_streams(case_ids)
            states = [fold(stream) for stream in streams.values()]
            found += [_from_state(state) for state in states if state is not None]
            found.sort(key=lambda record: (record.filed_at, record.case_id), reverse=True)
        return found

    async def reference_of(self, case_id: UUID) -> str | None:
        """The reference handed out for the case (filing writes it before the projection sees the case)."""
        reference: str | None = await self._database.pool.fetchval(
            "SELECT reference FROM intake_references WHERE case_id = $1", case_id
        )
        return reference

    async def _with_deadlines(self, rows: list[asyncpg.Record]) -> list[CaseRecord]:
        due = await self._deadlines.due([row["case_id"] for row in rows if row["status"] != CLOSED])
        return [_record(row, due.get(row["case_id"])) for row in rows]


def _record(row: asyncpg.Record, expected_at: datetime | None) -> CaseRecord:
    return CaseRecord(
        case_id=row["case_id"], reference=row["reference"], status=row["status"], category=row["category"],
        location=ResolvedLocation.model_validate_json(row["location"]), confidential=row["confidential"],
        level=row["level"], unit=UnitRef.model_validate_json(row["unit"]) if row["unit"] else None,
        filed_at=row["filed_at"], updated_at=row["updated_at"], expected_at=expected_at,
    )  # fmt: skip


def _from_state(state: CaseState) -> CaseRecord:
    return CaseRecord(
        case_id=state.case_id, reference=state.reference, status=state.status, category=state.category,
        location=state.location, confidential=state.confidential, level=state.level, unit=state.unit,
        filed_at=state.filed_at, updated_at=state.updated_at,
    )  # fmt: skip
