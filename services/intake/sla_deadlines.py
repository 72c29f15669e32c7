"""The SLA service's current deadlines, read for Open311's ``expected_datetime`` and the console's inbox.

The deadlines are the SLA service's: its policy, business calendar and pauses make them, and it keeps
each case's next one in its ``sla_deadlines`` table (one row per case with a running clock; the database
is the one every service shares). Intake reads that table and nothing else of the SLA service: it does
not import its code and does not compute deadlines itself, since a second computation could disagree
with the one that escalates. The columns read here (``case_id``, ``due_at``, ``clock``) are the whole of
what intake relies on; ``tests/integration/intake/test_open311_deadlines.py`` writes the table through
the SLA service's own code and reads it back through this reader, so a change on either side is caught.

Intake runs without the SLA service (its tests, a partial deployment): an absent table answers no
deadlines. A ``refusal`` row is not a deadline but the instant an escalation is due (at once), and so
is not one either.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from shared.events.types import ClockName
from shared.eventstore import HasPool

log = logging.getLogger(__name__)
_DEADLINES = """
SELECT case_id, due_at, clock FROM sla_deadlines
WHERE case_id = ANY($1::uuid[]) AND clock IN ('acknowledgement', 'resolution', 'triage')
"""


@dataclass(frozen=True, slots=True)
class RunningClock:
    """A case's next deadline and the clock it belongs to (the console words it: "left to acknowledge")."""

    clock: ClockName
    due_at: datetime


class SlaDeadlines:
    """Reads ``sla_deadlines`` (read-only)."""

    def __init__(self, database: HasPool) -> None:
        self._database = database

    async def due(self, case_ids: Sequence[UUID]) -> dict[UUID, datetime]:
        """The current deadline of each case that has one; none when the SLA service has no table here."""
        return {case_id: running.due_at for case_id, running in (await self.clocks(case_ids)).items()}

    async def clocks(self, case_ids: Sequence[UUID]) -> dict[UUID, RunningClock]:
        """The running clock of each case that has one, with its deadline."""
        if not case_ids:
            return {}
        try:
            rows = await self._database.pool.fetch(_DEADLINES, list(case_ids))
        except asyncpg.UndefinedTableError:
            log.debug("no sla_deadlines table: no deadlines to show")
            return {}
        return {row["case_id"]: RunningClock(row["clock"], row["due_at"]) for row in rows}
