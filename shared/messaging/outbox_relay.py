"""The outbox relay: publishes stored events to ``case-events`` in order, then deletes their outbox rows.

Each append left one outbox row naming its events in stream order; the relay reads those events and
publishes each one's envelope (the JSON of docs/contract.md §Case events, built by PostgreSQL from the stored
row). At least once: rows are deleted only after Kafka acknowledged their events, so a relay killed mid-batch
publishes the batches in flight again after restart (duplicates, never loss); per-case order holds because
rows are read in id order, a case's later append can only get its row once the earlier one committed (it must
have read the earlier one's version), and a row lists its events in version order. The next batch is read
while Kafka acknowledges the one before, so PostgreSQL and the broker work at the same time; the producer
still gets the batches in outbox order.

One relay publishes at a time: the leader holds a PostgreSQL advisory lock on its own connection, and when
it dies the lock goes with its session and a standby takes over. It polls on a short interval and at once
after a full batch, instead of a NOTIFY in every appending transaction (which would serialize commits
cluster-wide).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import asyncpg
from prometheus_client import CollectorRegistry, Counter, Gauge

from shared.eventstore.store import Connection
from shared.messaging.outbox_backlog import OutboxBacklog
from shared.messaging.partition_batches import send_keyed
from shared.service.database import Database
from shared.service.producer import Producer
from shared.service.retry import Backoff, is_transient
from shared.service.tasks import BackgroundTasks

log = logging.getLogger(__name__)
EVENT_TYPE_HEADER = "event-type"  # lets consumers skip types they ignore without decoding the value
_LEADER_LOCK = 0x72656C61  # the advisory lock key of the relay's leadership

# The oldest outbox rows but those of ``$2`` (the batch still in flight), as many as hold ``$1`` events (at
# least one row), and their events in order, each with its envelope as docs/contract.md §Case events lays it
# out. The relay's session is in UTC, so occurred_at reads as ISO 8601 in UTC. Each event is an index probe by
# its id whatever plan is cached (OFFSET 0 keeps the planner from making it a join: a plan cached on a small
# table hashed all of it).
PENDING = """
WITH claimed AS (
    SELECT id, event_ids FROM (
        SELECT id, event_ids,
               sum(cardinality(event_ids)) OVER (ORDER BY id) - cardinality(event_ids) AS before
        FROM outbox WHERE id <> ALL($2::bigint[]) ORDER BY id LIMIT $1
    ) oldest
    WHERE before < $1
)
SELECT c.id, e.case_id::text AS key, e.type, json_build_object(
           'event_id', e.event_id, 'type', e.type, 'schema_version', e.schema_version, 'case_id', e.case_id,
           'version', e.version, 'occurred_at', e.occurred_at, 'producer', e.producer,
           'causation_id', e.causation_id, 'correlation_id', e.correlation_id,
           'actor', json_build_object('kind', e.actor_kind, 'id', e.actor_id), 'data', e.data
       )::text AS payload
FROM claimed c
CROSS JOIN LATERAL unnest(c.event_ids) WITH ORDINALITY AS listed(event_id, n)
CROSS JOIN LATERAL (SELECT * FROM events e WHERE e.event_id = listed.event_id OFFSET 0) e
ORDER BY c.id, listed.n
"""
RELAY_SESSION = {"timezone": "UTC"}
PENDING_EVENTS = "SELECT coalesce(sum(cardinality(event_ids)), 0) FROM outbox"
PENDING_FOR_CASE = """
SELECT count(*) FROM outbox, unnest(event_ids) AS queued(event_id) JOIN events USING (event_id)
WHERE case_id = $1
"""


class OutboxRelay:
    """A service component publishing to ``topic`` (case-events) with ``producer``; every service may run
    one, and one of them publishes. It reads the outbox on a connection of its own to ``database``."""

    def __init__(
        self,
        database: Database,
        producer: Producer,
        topic: str,
        registry: CollectorRegistry,
        *,
        batch_size: int = 500,
        idle_poll: float = 0.01,
        standby_poll: float = 0.5,
    ) -> None:
        self._database = database
        self._producer = producer
        self._topic = topic
        self.batch_size = batch_size
        self.idle_poll = idle_poll
        self.standby_poll = standby_poll
        self._tasks = BackgroundTasks()
        # The backlog is counted apart from publishing, so that it moves while Kafka is down.
        self._backlog = OutboxBacklog(database, registry)
        self._leader = Gauge(
            "outbox_relay_leader", "1 while this process's relay publishes", registry=registry
        )
        self._published = Counter(
            "outbox_published_events_total", "Events the relay published to case-events", registry=registry
        )

    async def start(self) -> None:
        self._tasks.start("outbox-relay", self._run())
        await self._backlog.start()

    async def stop(self) -> None:
        await self._backlog.stop()
        await self._tasks.stop()

    async def _run(self) -> None:
        backoff = Backoff()
        while True:
            try:
                connection = await asyncpg.connect(self._database.url, server_settings=RELAY_SESSION)
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
        log.info("this process's outbox relay is the leader")
        self._leader.set(1)
        in_flight = _NOTHING
        while True:
            sent = await self._send(connection, in_flight)
            await self._settle(connection, in_flight)
            backoff.reset()
            if sent.events < self.batch_size:
                await self._settle(connection, sent)
                in_flight = _NOTHING
                await asyncio.sleep(self.idle_poll)
            else:
                in_flight = sent

    async def _send(self, connection: Connection, in_flight: _Sent) -> _Sent:
        """Hand the events of the oldest outbox rows not already in flight to the producer."""
        rows = await connection.fetch(PENDING, self.batch_size, in_flight.ids)
        if not rows:
            return _NOTHING
        records = (
            (row["key"].encode(), row["payload"].encode(), [(EVENT_TYPE_HEADER, row["type"].encode())])
            for row in rows
        )
        acks = await send_keyed(self._producer.client, self._topic, records)
        # Should the relay fail before it waits for these, their outcome needs no warning: the rows stay.
        acks.add_done_callback(lambda done: done.cancelled() or done.exception())
        return _Sent(list({row["id"]: None for row in rows}), len(rows), acks)

    async def _settle(self, connection: Connection, sent: _Sent) -> None:
        """Wait until Kafka has every event of ``sent``, then delete its outbox rows."""
        if sent.acks is None:
            return
        await sent.acks
        await connection.execute("DELETE FROM outbox WHERE id = ANY($1::bigint[])", sent.ids)
        self._published.inc(sent.events)


@dataclass(frozen=True)
class _Sent:
    """A batch handed to the producer: its outbox rows, how many events they hold, their acknowledgements."""

    ids: list[int]
    events: int
    acks: asyncio.Future[list[object]] | None = None


_NOTHING = _Sent([], 0)
