"""What waits in the outbox: ``outbox_pending_events`` and ``outbox_oldest_event_age_seconds``.

Counted from PostgreSQL every ``interval`` seconds, apart from the relay's publishing, so both keep moving
while Kafka is down, which is when they matter: a relay blocked on the broker used to leave the count where
its last successful batch had set it. Outbox rows carry no time of their own; the age is that of the oldest
row's first event (``events.recorded_at``, its append's). Every process running a relay counts, leader or
standby, so the figures outlive any one of them (dashboards take the max). See docs/contract.md §Metrics.
"""

from __future__ import annotations

import logging

from prometheus_client import CollectorRegistry, Gauge

from shared.eventstore import HasPool
from shared.service.tasks import BackgroundTasks, every

log = logging.getLogger(__name__)

# The oldest row comes from the outbox's primary key; the sum reads the outbox alone (short, but for an
# outage's backlog).
BACKLOG = """
SELECT (SELECT coalesce(sum(cardinality(event_ids)), 0) FROM outbox) AS pending,
       coalesce((
           SELECT extract(epoch FROM now() - e.recorded_at)
           FROM (SELECT event_ids[1] AS event_id FROM outbox ORDER BY id LIMIT 1) oldest
           JOIN events e USING (event_id)
       ), 0)::float8 AS age
"""


class OutboxBacklog:
    """Refreshes the two outbox gauges on ``registry`` from ``database``'s pool while it runs."""

    def __init__(self, database: HasPool, registry: CollectorRegistry, *, interval: float = 1.0) -> None:
        self._database = database
        self.interval = interval
        self.pending = Gauge(
            "outbox_pending_events", "Events stored but not yet published", registry=registry
        )
        self.oldest_age = Gauge(
            "outbox_oldest_event_age_seconds",
            "Seconds since the oldest event still waiting in the outbox was stored (0 when it is empty)",
            registry=registry,
        )
        self._tasks = BackgroundTasks()

    async def start(self) -> None:
        # The figures stay as last counted while counting fails; the readiness alert (its postgres check)
        # says why.
        counting = every(self.interval, self.refresh, log=log, failed="the outbox backlog was not counted")
        self._tasks.start("outbox-backlog", counting)

    async def stop(self) -> None:
        await self._tasks.stop()

    async def refresh(self) -> None:
        """Count once now."""
        row = await self._database.pool.fetchrow(BACKLOG)
        assert row is not None  # one row, always
        self.pending.set(row["pending"])
        self.oldest_age.set(row["age"])
