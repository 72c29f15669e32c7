"""The statistics page's reads: open cases from the case status projection (``intake_cases``), and answer
times and breaches from the event store's ``events`` table, the only place that keeps when each step
happened and which unit took it. Sums and medians are computed by ``console/statistics.py``.

A unit's time to acknowledge (or to resolve) is the wall-clock time from the latest event that gave it the
case (``CaseAssigned`` or ``CaseEscalated``, the step before in the same stream) to its
``CaseAcknowledged`` (``CaseResolved``), for the answers of the last 30 days. It includes nights,
weekends and waits for the citizen: the business-time clocks are the SLA service's, and its breaches are
counted here from its ``SlaBreached`` events.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from services.intake.console.statistics import (
    WINDOW_DAYS,
    LevelBreaches,
    OpenCases,
    UnitTimes,
    breaches_by_level,
    open_cases,
    unit_times,
)
from shared.eventstore import HasPool

_OPEN = """
SELECT status, province, count(*) AS cases FROM intake_cases WHERE status <> 'resolved'
GROUP BY status, province
"""
# The step that gave the unit the case is read from the index sql/0008_console_stats.sql makes for it.
_ANSWER_TIMES = """
SELECT answer.type, answer.data->>'unit_id' AS unit_id,
       array_agg(extract(epoch FROM answer.occurred_at - reached.occurred_at)::float8) AS seconds
FROM events answer
CROSS JOIN LATERAL (
    SELECT step.occurred_at FROM events step
    WHERE step.case_id = answer.case_id AND step.version < answer.version
      AND step.type IN ('CaseAssigned', 'CaseEscalated')
    ORDER BY step.version DESC LIMIT 1
) reached
WHERE answer.type IN ('CaseAcknowledged', 'CaseResolved') AND answer.occurred_at >= $1
GROUP BY answer.type, answer.data->>'unit_id'
"""
_BREACHES = """
SELECT (data->>'level')::int AS level, data->>'clock' AS clock, count(*) AS breaches
FROM events WHERE type = 'SlaBreached' AND occurred_at >= $1
GROUP BY 1, 2
"""


@dataclass(frozen=True, slots=True)
class Statistics:
    open: OpenCases
    units: list[UnitTimes]
    breaches: list[LevelBreaches]
    since: datetime


class StatsQuery:
    def __init__(self, database: HasPool) -> None:
        self._database = database

    async def read(self, now: datetime) -> Statistics:
        since = now - timedelta(days=WINDOW_DAYS)
        # Three independent reads on three connections: the page waits for the slowest, not their sum.
        opened, answers, breaches = await asyncio.gather(
            self._fetch(_OPEN), self._fetch(_ANSWER_TIMES, since), self._fetch(_BREACHES, since)
        )
        seconds: dict[str, dict[str, list[float]]] = {"CaseAcknowledged": {}, "CaseResolved": {}}
        for row in answers:
            seconds[row["type"]][row["unit_id"]] = row["seconds"]
        return Statistics(
            open=open_cases((row["status"], row["province"], row["cases"]) for row in opened),
            units=unit_times(seconds["CaseAcknowledged"], seconds["CaseResolved"]),
            breaches=breaches_by_level((row["level"], row["clock"], row["breaches"]) for row in breaches),
            since=since,
        )

    async def _fetch(self, query: str, *args: object) -> list[asyncpg.Record]:
        async with self._database.pool.acquire() as connection, connection.transaction():
            # The planner's cost for the answer times (a lookup per answer) passes PostgreSQL's JIT
            # thresholds: compiling took 0.6 s of a 0.8 s query over 100,000 cases (bench-console), for a
            # read that runs in a fraction of that without it.
            await connection.execute("SET LOCAL jit = off")
            return await connection.fetch(query, *args)
