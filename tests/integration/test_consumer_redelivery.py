"""The case-events consumer on Kafka: a batch handed again and an event the relay published twice are both
skipped, a group's tracking stays within its bound however many events go through it, and the handling time
observed is a batch's."""

import os
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer
from prometheus_client import CollectorRegistry

from shared.events import CitizenReplied, Envelope, encode_envelope
from shared.eventstore import Append
from shared.messaging.consumer import Batch, CaseEventConsumer, CaseEventProcessor, Record
from shared.messaging.outbox_relay import EVENT_TYPE_HEADER, OutboxRelay
from shared.messaging.partition_batches import send_keyed
from shared.messaging.tracking import RECENT_OFFSETS
from shared.service.infrastructure import Infrastructure
from shared.service.lifecycle import Component, Lifecycle
from shared.service.metrics import CommonMetrics
from shared.service.settings import ServiceSettings
from shared.testing.events import new_event
from shared.testing.kafka import at_least, eventually, read_topic

pytestmark = pytest.mark.integration

GROUP = "redelivery-test"
# The bound test's events: enough to fill every partition's window several times over (100,000 take about
# 10 s on two cores). TRACKING_BOUND_EVENTS sets another number.
BOUND_EVENTS = int(os.environ.get("TRACKING_BOUND_EVENTS", "100000"))
EFFECTS = "CREATE TABLE IF NOT EXISTS effects (event_id uuid NOT NULL)"


class RecordEffects:
    """A row per handled event: a second row for one event would be a double effect."""

    event_types = frozenset({"CitizenReplied"})

    async def handle(self, batch: Batch) -> None:
        ids = [event.event_id for event in batch.events]
        await batch.connection.execute("INSERT INTO effects (event_id) SELECT unnest($1::uuid[])", ids)


def infrastructure_for(env: dict[str, str]) -> Infrastructure:
    settings = ServiceSettings(
        kafka_bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"], database_url=env["DATABASE_URL"],
        topic_prefix=env["TOPIC_PREFIX"],
    )  # fmt: skip
    return Infrastructure.build("redelivery-test", settings)


@asynccontextmanager
async def consuming(infra: Infrastructure, *also: Component) -> AsyncIterator[Lifecycle]:
    """The group's consumer (and ``also``) running on ``infra``; publish nothing before it is there."""
    lifecycle = Lifecycle(infra, [*also, CaseEventConsumer(infra, GROUP, RecordEffects())])
    async with lifecycle.running():
        await infra.database.pool.execute(EFFECTS)
        yield lifecycle


@asynccontextmanager
async def started(infra: Infrastructure) -> AsyncIterator[Infrastructure]:
    """``infra`` connected (and migrated) with nothing consuming."""
    async with Lifecycle(infra).running():
        await infra.database.pool.execute(EFFECTS)
        yield infra


def replies(count: int) -> list[Envelope]:
    return [new_event(CitizenReplied(text=f"reply {n}")).envelope(uuid.uuid4(), 1) for n in range(count)]


async def publish(infra: Infrastructure, envelopes: Sequence[Envelope]) -> None:
    """Send ``envelopes`` to case-events as the outbox relay does: keyed by case, their type in a header."""
    records = (
        (str(e.case_id).encode(), encode_envelope(e), [(EVENT_TYPE_HEADER, e.type.encode())])
        for e in envelopes
    )
    await (await send_keyed(infra.producer.client, infra.topics.case_events, records))


async def effects(pool: asyncpg.Pool) -> dict[uuid.UUID, int]:
    rows = await pool.fetch("SELECT event_id, count(*) AS n FROM effects GROUP BY event_id")
    return {row["event_id"]: row["n"] for row in rows}


def outcome(infra: Infrastructure, name: str) -> float:
    return infra.registry.get_sample_value("consumer_events_total", {"group": GROUP, "outcome": name}) or 0.0


@pytest.mark.parametrize(
    ("events", "uncommitted"),
    [
        pytest.param(1200, 500, id="one batch"),
        # More records than the group's windows of event ids hold: only the positions skip the oldest.
        pytest.param(4 * RECENT_OFFSETS + 4000, 4 * RECENT_OFFSETS + 3500, id="beyond the window"),
    ],
)
async def test_batches_handled_but_not_committed_are_skipped_when_kafka_hands_them_again(
    service_env: dict[str, str], events: int, uncommitted: int
) -> None:
    sent = replies(events)
    async with started(infrastructure_for(service_env)) as infra:
        await publish(infra, sent)
        # A consumer of the group handles a batch and commits its offsets, handles more and dies before the
        # next offset commit: its transactions are in PostgreSQL, its offsets are not in Kafka.
        processor = CaseEventProcessor(
            GROUP, RecordEffects(), database=infra.database, producer=infra.producer,
            metrics=CommonMetrics(CollectorRegistry()),
            dead_letter_topic=infra.topics.dlq_for_group(GROUP),
        )  # fmt: skip
        consumer = AIOKafkaConsumer(
            infra.topics.case_events, bootstrap_servers=service_env["KAFKA_BOOTSTRAP_SERVERS"],
            group_id=f"{service_env['TOPIC_PREFIX']}{GROUP}", enable_auto_commit=False,
            auto_offset_reset="earliest",
        )  # fmt: skip
        await consumer.start()
        try:
            await processor.process(await next_batch(consumer, 500))
            await consumer.commit()
            handed = 0
            while handed < uncommitted:
                records = await next_batch(consumer, min(500, uncommitted - handed))
                await processor.process(records)
                handed += len(records)
        finally:
            await consumer.stop()
        assert len(await effects(infra.database.pool)) == 500 + uncommitted

    restarted = infrastructure_for(service_env)
    async with consuming(restarted):
        left = events - 500 - uncommitted
        assert await eventually(
            lambda: (outcome(restarted, "duplicate"), outcome(restarted, "handled")) == (uncommitted, left)
        )
        counts = await effects(restarted.database.pool)
    assert counts == {event.event_id: 1 for event in sent}


async def next_batch(consumer: AIOKafkaConsumer, size: int) -> list[Record]:
    """The next non-empty batch of up to ``size`` records, from all the consumer's partitions."""
    while True:
        batches = await consumer.getmany(timeout_ms=200, max_records=size)
        if records := [record for batch in batches.values() for record in batch]:
            return records


async def test_events_the_relay_publishes_again_are_skipped(service_env: dict[str, str]) -> None:
    """A relay that dies after Kafka acknowledged a batch and before it deleted the batch's outbox rows
    publishes those events again; here their outbox rows are put back, as the dead relay left them."""
    infra = infrastructure_for(service_env)
    relay = OutboxRelay(infra.database, infra.producer, infra.topics.case_events, infra.registry)
    async with consuming(infra, relay):
        pool = infra.database.pool
        store = infra.database.event_store
        first = [Append(uuid.uuid4(), 0, [new_event(CitizenReplied(text=f"first {n}"))]) for n in range(300)]
        await store.append_many(first)
        assert await eventually(lambda: outcome(infra, "handled") == 300)

        published = [append.events[0].event_id for append in first]
        await pool.execute(
            "INSERT INTO outbox (event_ids) VALUES ($1), ($2)", published[:150], published[150:]
        )
        await store.append(uuid.uuid4(), 0, [new_event(CitizenReplied(text="later"))])
        assert await eventually(
            lambda: outcome(infra, "duplicate") == 300 and outcome(infra, "handled") == 301
        )
        counts = await effects(pool)
    assert len(counts) == 301
    assert set(counts.values()) == {1}


async def test_a_groups_tracking_rows_stay_within_their_bound(
    service_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    infra = infrastructure_for(service_env)
    async with consuming(infra):
        pool = infra.database.pool
        partitions = len(await infra.producer.client.partitions_for(infra.topics.case_events))
        bound = partitions * (RECENT_OFFSETS + 1)
        assert bound < BOUND_EVENTS, f"{BOUND_EVENTS} events cannot fill {partitions} partitions' windows"
        for start in range(0, BOUND_EVENTS, 10_000):
            await publish(infra, replies(min(10_000, BOUND_EVENTS - start)))
        assert await eventually(lambda: outcome(infra, "handled") == BOUND_EVENTS, within=600)
        positions = await pool.fetchval("SELECT count(*) FROM consumer_positions WHERE consumer = $1", GROUP)
        recent = await pool.fetchval("SELECT count(*) FROM consumer_recent_events WHERE consumer = $1", GROUP)
        handled = await pool.fetchval("SELECT count(DISTINCT event_id) FROM effects")
    with capsys.disabled():
        print(
            f"\ntracking after {BOUND_EVENTS} events on {partitions} partitions: {positions + recent} rows "
            f"({positions} positions, {recent} event ids); bound {bound}"
        )
    assert handled == BOUND_EVENTS
    assert positions + recent <= bound


class RecordEverything:
    """Like :class:`RecordEffects`, for events of every type."""

    event_types = None

    async def handle(self, batch: Batch) -> None:
        await RecordEffects().handle(batch)


async def test_handling_time_is_observed_once_per_event_type_of_each_batch(
    service_env: dict[str, str],
) -> None:
    """Every event of a batch waited its whole transaction: one observation of that time per type in it."""
    registry = CollectorRegistry()
    sent = [*replies(300), *(new_event().envelope(uuid.uuid4(), 1) for _ in range(200))]
    async with started(infrastructure_for(service_env)) as infra:
        await publish(infra, sent)
        records = await read_topic(
            service_env["KAFKA_BOOTSTRAP_SERVERS"], infra.topics.case_events, until=at_least(len(sent))
        )
        processor = CaseEventProcessor(
            GROUP, RecordEverything(), database=infra.database, producer=infra.producer,
            metrics=CommonMetrics(registry), dead_letter_topic=infra.topics.dlq_for_group(GROUP),
        )  # fmt: skip
        await processor.process(records)
        await processor.process(records)  # all of them handled already: no handling to time

    def sample(name: str, event_type: str) -> float | None:
        return registry.get_sample_value(f"event_handling_seconds_{name}", {"event_type": event_type})

    assert sample("count", "CitizenReplied") == sample("count", "CaseNeedsTriage") == 1
    assert (sample("sum", "CitizenReplied") or 0.0) > 0.0
    assert sample("sum", "CitizenReplied") == sample("sum", "CaseNeedsTriage")
