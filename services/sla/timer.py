"""The timer: a service component that fires due deadlines, however many replicas run it.

Each pass, in one transaction, claims up to a batch of due rows of ``sla_deadlines`` with ``FOR UPDATE
SKIP LOCKED`` (so replicas, and the loops within one, never take the same case), fires them (see
firing.py) and writes their rows back. A pass that finds a full batch is followed at once by the next;
otherwise the loop waits ``interval``. Deadlines that fell due while no replica ran are in the table and
fire on the first pass after start-up.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from services.sla import deadlines
from services.sla.firing import STUCK_DELAY, Firing
from services.sla.metrics import SlaMetrics
from shared.service.clock import Clock, system_clock
from shared.service.database import Database
from shared.service.retry import Backoff, worth_retrying
from shared.service.tasks import BackgroundTasks, every

log = logging.getLogger(__name__)


class SlaTimer:
    """Runs ``workers`` timer loops and one loop refreshing the deadline gauges."""

    def __init__(
        self,
        firing: Firing,
        database: Database,
        metrics: SlaMetrics,
        *,
        interval: float = 0.1,
        batch_size: int = 500,
        workers: int = 1,
        metrics_interval: float = 10.0,
        clock: Clock = system_clock,
    ) -> None:
        self.firing = firing
        self._database = database
        self.metrics = metrics
        self.interval = interval
        self.batch_size = batch_size
        self.workers = workers
        self.metrics_interval = metrics_interval
        self.clock = clock
        self._tasks = BackgroundTasks()

    async def start(self) -> None:
        for i in range(self.workers):
            self._tasks.start(f"sla-timer-{i}", self._loop())
        gauges = every(
            self.metrics_interval, self._count, log=log, failed="cannot count the SLA deadlines yet"
        )
        self._tasks.start("sla-timer-gauges", gauges)

    async def stop(self) -> None:
        await self._tasks.stop()

    async def run_pass(self, now: datetime | None = None) -> int:
        """One pass at ``now`` (default: the clock); how many due deadlines it claimed."""
        now = now or self.clock()
        started = time.perf_counter()
        pool, store = self._database.pool, self._database.event_store
        claimed: list[UUID] = []
        try:
            async with pool.acquire() as connection:
                # One round trip when nothing is due, which is nearly always.
                if not await deadlines.any_due(connection, now):
                    self.metrics.passes.labels(outcome="empty").observe(time.perf_counter() - started)
                    return 0
                async with connection.transaction():
                    claimed = await deadlines.claim_due(connection, now, self.batch_size)
                    fired = await self.firing.fire(connection, store, claimed, now)
        except Exception as error:
            if worth_retrying(error) or not claimed:
                raise
            # Something in the batch breaks the decision: handle its cases one by one to find it.
            log.warning("a timer pass failed (%r); firing its %d cases one by one", error, len(claimed))
            await self._one_by_one(claimed, now)
            self.metrics.passes.labels(outcome="split").observe(time.perf_counter() - started)
            return len(claimed)
        self.metrics.record(fired)
        outcome = "fired" if claimed else "empty"  # empty: other replicas held every due row
        self.metrics.passes.labels(outcome=outcome).observe(time.perf_counter() - started)
        return len(claimed)

    async def _one_by_one(self, case_ids: Sequence[UUID], now: datetime) -> None:
        pool, store = self._database.pool, self._database.event_store
        for case_id in case_ids:
            try:
                async with pool.acquire() as connection, connection.transaction():
                    if await deadlines.claim_case(connection, case_id, now):
                        self.metrics.record(await self.firing.fire(connection, store, [case_id], now))
            except Exception as error:
                if worth_retrying(error):
                    raise
                log.exception("case %s cannot be fired; looking again in %s", case_id, STUCK_DELAY)
                self.metrics.failures.inc()
                async with pool.acquire() as connection:
                    await deadlines.postpone(connection, [case_id], now + STUCK_DELAY)

    async def _loop(self) -> None:
        backoff = Backoff()
        while True:
            try:
                claimed = await self.run_pass()
                backoff.reset()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if worth_retrying(error):
                    log.warning("the SLA timer waits: %r", error)
                else:
                    log.exception("an SLA timer pass failed; trying again")
                await backoff.wait()
                continue
            if claimed < self.batch_size:
                await asyncio.sleep(self.interval)

    async def _count(self) -> None:
        async with self._database.pool.acquire() as connection:
            counted = await deadlines.count(connection)
        self.metrics.counted(counted)
