"""Recording what became of a batch of sends: one transaction for the notices' new states, the numbers
that opted out, and the ``CitizenNotified`` / ``CitizenNotificationFailed`` events of the case streams."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from services.notify.notifications import Outcome, record_outcomes
from services.notify.outcome_events import append_outcome_events, outcome_event
from shared.eventstore import ConflictCounter, PostgresEventStore
from shared.privacy import OptOuts


@dataclass(frozen=True, slots=True)
class Finished:
    """An attempt's outcome, the language it was in (for metrics) and the number, if it opted out."""

    outcome: Outcome
    language: str
    opted_out_phone: str | None = None


async def record(
    pool: asyncpg.Pool,
    batch: Sequence[Finished],
    now: datetime,
    conflicts: ConflictCounter,
    opt_outs: OptOuts,
) -> list[Finished]:
    """Record ``batch`` in one transaction; the outcomes recorded (not those of an expired claim)."""
    async with pool.acquire() as connection, connection.transaction():
        recorded = await record_outcomes(connection, [f.outcome for f in batch])
        mine = [f for f in batch if f.outcome.claimed.id in recorded]
        await opt_outs.add(
            connection, [f.opted_out_phone for f in mine if f.opted_out_phone], "provider:21610"
        )
        events = [
            (f.outcome.claimed.case_id, event)
            for f in mine
            if (event := outcome_event(f.outcome, now)) is not None
        ]
        await append_outcome_events(PostgresEventStore(pool), events, conflicts, connection=connection)
    return mine
