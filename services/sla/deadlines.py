"""The ``sla_deadlines`` table (sql/0001_sla_deadlines.sql): saved in bulk, claimed when due.

Every statement is one round trip whatever the number of rows. Rows carry the stream version they were
derived from and a write never replaces a row derived from a newer version: the consumer and the timer
may write the same case's row in either order and the newer view of the case stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.sla.domain.clocks import Upcoming
from shared.eventstore.store import Connection


@dataclass(frozen=True, slots=True)
class DeadlineRow:
    """What a case's row should say after its stream's ``version``; ``upcoming`` None deletes it."""

    case_id: UUID
    version: int
    upcoming: Upcoming | None


_UPSERT = """
INSERT INTO sla_deadlines AS d (case_id, due_at, clock, unit_id, level, version)
SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::int[], $6::int[])
ON CONFLICT (case_id) DO UPDATE
SET due_at = excluded.due_at, clock = excluded.clock, unit_id = excluded.unit_id, level = excluded.level,
    version = excluded.version, updated_at = now()
WHERE d.version <= excluded.version
"""

_DELETE = """
DELETE FROM sla_deadlines d USING unnest($1::uuid[], $2::int[]) AS gone(case_id, version)
WHERE d.case_id = gone.case_id AND d.version <= gone.version
"""

# Oldest first, so that a backlog fires in the order it fell due; rows another replica holds are skipped.
_CLAIM = """
SELECT case_id FROM sla_deadlines WHERE due_at <= $1 ORDER BY due_at LIMIT $2
FOR UPDATE SKIP LOCKED
"""


async def save(connection: Connection, rows: Sequence[DeadlineRow]) -> None:
    """Upsert the rows with a deadline and delete those without, unless a newer version is stored."""
    # Sorted, so that two writers lock the rows they share in the same order (no deadlock).
    ordered = sorted(rows, key=lambda row: row.case_id)
    kept = [(row, row.upcoming) for row in ordered if row.upcoming is not None]
    gone = [row for row in ordered if row.upcoming is None]
    if kept:
        await connection.execute(
            _UPSERT,
            [row.case_id for row, _ in kept],
            [u.due_at for _, u in kept],
            [u.clock for _, u in kept],
            [u.unit_id for _, u in kept],
            [u.level for _, u in kept],
            [row.version for row, _ in kept],
        )
    if gone:
        await connection.execute(_DELETE, [row.case_id for row in gone], [row.version for row in gone])


async def any_due(connection: Connection, now: datetime) -> bool:
    """Whether any row is due at ``now`` (held by another replica or not), without locking anything."""
    # min() reads the first entry of the due_at index whatever the plan. `WHERE due_at <= $1 LIMIT 1`
    # did not: once PostgreSQL switched the prepared statement to a generic plan it scanned the whole
    # table when nothing was due (the benchmark caught it).
    earliest = await connection.fetchval("SELECT min(due_at) FROM sla_deadlines")
    return earliest is not None and earliest <= now


async def claim_due(connection: Connection, now: datetime, limit: int) -> list[UUID]:
    """Lock up to ``limit`` rows due at ``now``, oldest first, for the caller's transaction; their cases."""
    return [row["case_id"] for row in await connection.fetch(_CLAIM, now, limit)]


async def claim_case(connection: Connection, case_id: UUID, now: datetime) -> bool:
    """Lock one case's row if it is due at ``now`` and nobody holds it; whether it was."""
    found = await connection.fetchval(
        "SELECT true FROM sla_deadlines WHERE case_id = $1 AND due_at <= $2 FOR UPDATE SKIP LOCKED",
        case_id, now,
    )  # fmt: skip
    return bool(found)


async def postpone(connection: Connection, case_ids: Sequence[UUID], until: datetime) -> None:
    """Move rows the timer cannot handle now out of its way until ``until``."""
    await connection.execute(
        "UPDATE sla_deadlines SET due_at = $2, updated_at = now() WHERE case_id = ANY($1::uuid[])",
        list(case_ids), until,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class LevelCount:
    """The rows at one level of the ladder: how many, how many due now (not fired yet), the earliest due."""

    level: int
    open: int
    overdue: int
    earliest: datetime


async def count(connection: Connection) -> list[LevelCount]:
    """The rows by level, lowest first; levels without a row are left out."""
    # now() rather than a parameter: a generic plan for `due_at <= $1` would scan the whole table.
    rows = await connection.fetch(
        """SELECT level, count(*) AS open, count(*) FILTER (WHERE due_at <= now()) AS overdue,
                  min(due_at) AS earliest
           FROM sla_deadlines GROUP BY level ORDER BY level"""
    )
    return [LevelCount(row["level"], row["open"], row["overdue"], row["earliest"]) for row in rows]
