"""The outbox relay: publishes stored events to ``case-events`` in order, then deletes their outbox rows.

At least once: rows are deleted only after Kafka acknowledged them, so a relay killed mid-batch publishes
the batch again after restart (duplicates, never loss); per-case order holds because rows are read in id
order and each case's rows were inserted in version order. One relay publishes at a time: the leader holds
a PostgreSQL advisory lock on its own connection, and when it dies the lock goes with its session and a
standby takes over. It polls on a short interval and at once after a full batch, instead of a NOTIFY in
every appending transaction (which would serialize commits cluster-wide).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import asyncpg
from prometheus_client import Counter, Gauge

from shared.eventstore.store import Connection
from shared.retry import Backoff, is_transient
from shared.runtime import Runtime

log = logging.getLogger(__name__)
EVENT_TYPE_HEADER = "event-type"  # lets consumers skip types they ignore without decoding the value
_LEADER_LOCK = 0x72656C61  # the advisory lock key of the relay's leadership


class OutboxRelay:
    """A runtime component; every service may run one, and one of them publishes."""

    def __init__(self, *, batch_size: int = 500, idle_poll: float = 0.01, standby_poll: float = 0.5) -> None:
        self.batch_size = batch_size
        self.idle_poll = idle_poll
        self.standby_poll = standby_poll
        self._task: asyncio.Task[None] | None = None

    def setup(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._topic = runtime.topics.case_events
        self._pending = Gauge(
            "outbox_pending_events", "Events stored but not yet published", registry=runtime.registry
        )
        self._leader = Gauge(
            "outbox_relay_leader", "1 while this process's relay publishes", registry=runtime.registry
        )
        self._published = Counter(
            "outbox_published_events_total",
            "Events the relay published to case-events",
            registry=runtime.registry,
        )

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"{self._runtime.name}-outbox-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        backoff = Backoff()
        while True:
            try:
                connection = await asyncpg.connect(self._runtime.settings.database_url)
                try:
                    await self._lead(connection, backoff)
                finally:
                    self._leader.set(0)
                    await connection.close(timeout=2)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if not is_transient(error):
                    log.exception("outbox relay failed; restarting it")
                else:
                    log.warning("outbox relay waits for its servers: %s", error)
                await backoff.wait()

    async def _lead(self, connection: Connection, backoff: Backoff) -> None:
        # The lock lives in PostgreSQL, so there is nothing local to wait on: poll it.
        while not await connection.fetchval("SELECT pg_try_advisory_lock($1)", _LEADER_LOCK):  # noqa: ASYNC110
            await asyncio.sleep(self.standby_poll)
        log.info("outbox relay of %s is the leader", self._runtime.name)
        self._leader.set(1)
        counted_at = 0.0
        while True:
            published = await self.publish_batch(connection)
            backoff.reset()
            if published < self.batch_size:
                self._pending.set(0)
                await asyncio.sleep(self.idle_poll)
            elif time.monotonic() - counted_at > 1.0:
                counted_at = time.monotonic()
                self._pending.set(await connection.fetchval("SELECT count(*) FROM outbox"))

    async def publish_batch(self, connection: Connection) -> int:
        """Publish the oldest outbox rows, wait for Kafka's acknowledgements, delete them; how many."""
        producer = self._runtime.producer
        rows = await connection.fetch(
            "SELECT id, case_id, type, payload FROM outbox ORDER BY id LIMIT $1", self.batch_size
        )
        if not rows:
            return 0
        sends = [
            await producer.send(
                self._topic,
                row["payload"].encode(),
                key=str(row["case_id"]).encode(),
                headers=[(EVENT_TYPE_HEADER, row["type"].encode())] if row["type"] else None,
            )
            for row in rows
        ]
        await asyncio.gather(*sends)
        await connection.execute(
            "DELETE FROM outbox WHERE id = ANY($1::bigint[])", [row["id"] for row in rows]
        )
        self._published.inc(len(rows))
        return len(rows)
