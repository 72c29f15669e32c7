"""Rate budgets shared by every replica: counters in PostgreSQL over fixed windows.

A budget is taken in the caller's transaction (or on its own): one ``INSERT ... ON CONFLICT DO UPDATE``
that adds one only while the count is under the limit, so two replicas racing for the last unit cannot both
get it. Windows are fixed (the hour or day that ``now`` falls in, counted from the epoch in UTC); a counter
row lives until its window is over and is then deleted by :func:`forget_expired`. Subjects are keyed
digests (:mod:`shared.privacy.keyed`) or other non-personal keys, never a phone number or an address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from shared.eventstore.store import Connection

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_TAKE = """
INSERT INTO budget_counters AS c (budget, subject, window_start, window_end, used)
VALUES ($1, $2, $3, $4, 1)
ON CONFLICT (budget, subject, window_start) DO UPDATE SET used = c.used + 1 WHERE c.used < $5
RETURNING used
"""


@dataclass(frozen=True, slots=True)
class Budget:
    """At most ``limit`` uses per ``window`` for each subject; ``name`` names the counter (and metrics)."""

    name: str
    limit: int
    window: timedelta

    def window_of(self, now: datetime) -> tuple[datetime, datetime]:
        """The fixed window ``now`` falls in: [start, end)."""
        length = self.window.total_seconds()
        start = _EPOCH + timedelta(seconds=((now - _EPOCH).total_seconds() // length) * length)
        return start, start + self.window


@dataclass(frozen=True, slots=True)
class Allowance:
    """The answer of :func:`take`: allowed, or refused until ``retry_after`` has passed."""

    allowed: bool
    retry_after: timedelta = timedelta(0)


async def take(
    connection: Connection | asyncpg.Pool, budget: Budget, subject: str, now: datetime
) -> Allowance:
    """Use one unit of ``budget`` for ``subject`` at ``now``, unless the window's limit is reached."""
    start, end = budget.window_of(now)
    if budget.limit <= 0:
        return Allowance(False, end - now)
    used = await connection.fetchval(_TAKE, budget.name, subject, start, end, budget.limit)
    return Allowance(True) if used is not None else Allowance(False, end - now)


async def give_back(
    connection: Connection | asyncpg.Pool, budget: Budget, subject: str, taken_at: datetime
) -> None:
    """Return one unit :func:`take` gave at ``taken_at`` (to that window, even if another has begun): for a
    use that did not happen after all, such as a filing that failed."""
    start, _ = budget.window_of(taken_at)
    await connection.execute(
        """UPDATE budget_counters SET used = used - 1
           WHERE budget = $1 AND subject = $2 AND window_start = $3 AND used > 0""",
        budget.name, subject, start,
    )  # fmt: skip


async def forget_expired(connection: Connection, now: datetime) -> int:
    """Delete the counters whose window is over; how many were deleted."""
    result = await connection.execute("DELETE FROM budget_counters WHERE window_end <= $1", now)
    return int(result.split()[-1])
