"""The shared case-events consumer: effectively once, bad events dead-lettered, outages waited out."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable

import asyncpg
import pytest

from shared.events import CitizenReplied, encode_envelope
from shared.eventstore import Append, PostgresEventStore
from shared.messaging.consumer import Batch, CaseEventConsumer, CaseEventHandler, CaseEventProcessor
from shared.messaging.outbox_relay import OutboxRelay
from shared.service.infrastructure import Infrastructure
from shared.service.lifecycle import Component, Lifecycle
from shared.service.settings import ServiceSettings
from shared.testing.events import new_event
from shared.testing.kafka import at_least, eventually, produce, read_topic
from shared.testing.servers import LocalServers

pytestmark = pytest.mark.integration

GROUP = "effects-test"


class RecordEffects:
    """A handler whose effect is a row per event; a second row for one event would be a double effect."""

    event_types = frozenset({"CitizenReplied"})

    async def handle(self, batch: Batch) -> None:
        if any(event.data["text"] == "crash me" for event in batch.events):
            raise ValueError("a handler bug met this event")
        for event in batch.events:
            if event.data["text"] == "refuse me":
                batch.reject(event, "the domain refuses this event for good")
        accepted = [e.event_id for e in batch.events if e.data["text"] != "refuse me"]
        await batch.connection.execute("INSERT INTO effects (event_id) SELECT unnest($1::uuid[])", accepted)


@pytest.fixture
async def effects_table(pool: asyncpg.Pool) -> asyncpg.Pool:
    await pool.execute("CREATE TABLE effects (event_id uuid NOT NULL)")
    return pool


Part = Callable[[Infrastructure], Component]


def service_for(env: dict[str, str], *parts: Part, stuck_after: float = 30.0) -> Lifecycle:
    """A service running ``parts``, each built on its infrastructure as a bootstrap builds them."""
    settings = ServiceSettings(
        kafka_bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"], database_url=env["DATABASE_URL"],
        topic_prefix=env["TOPIC_PREFIX"], consumer_stuck_after_seconds=stuck_after,
    )  # fmt: skip
    infra = Infrastructure.build("consumer-test", settings)
    return Lifecycle(infra, [part(infra) for part in parts])


def relay(infra: Infrastructure) -> OutboxRelay:
    return OutboxRelay(infra.database, infra.producer, infra.topics.case_events, infra.registry)


def consumer(handler: CaseEventHandler) -> Part:
    return lambda infra: CaseEventConsumer(infra, GROUP, handler)


async def append_replies(store: PostgresEventStore, texts: list[str]) -> None:
    await store.append_many([Append(uuid.uuid4(), 0, [new_event(CitizenReplied(text=t))]) for t in texts])


async def effects(pool: asyncpg.Pool) -> dict[uuid.UUID, int]:
    rows = await pool.fetch("SELECT event_id, count(*) AS n FROM effects GROUP BY event_id")
    return {row["event_id"]: row["n"] for row in rows}


@pytest.fixture
async def consuming(
    service_env: dict[str, str], effects_table: asyncpg.Pool
) -> AsyncIterator[Infrastructure]:
    service = service_for(service_env, relay, consumer(RecordEffects()))
    async with service.running():
        yield service.infrastructure


async def test_bad_events_go_to_the_dlq_with_a_reason_and_the_rest_is_handled(
    consuming: Infrastructure, effects_table: asyncpg.Pool, kafka_bootstrap: str, topic_prefix: str
) -> None:
    store = consuming.database.event_store
    await append_replies(store, ["first good"] * 10)
    unknown = (
        new_event(CitizenReplied(text="x")).envelope(uuid.uuid4(), 1).model_copy(update={"type": "Nope"})
    )
    invalid = new_event(CitizenReplied(text="x")).envelope(uuid.uuid4(), 1).model_copy(update={"data": {}})
    bad = [b"\xff not json", b'{"event_id": 1}', encode_envelope(unknown), encode_envelope(invalid)]
    await produce(kafka_bootstrap, f"{topic_prefix}case-events", [(b"bad", value) for value in bad])
    await append_replies(store, ["refuse me", "crash me", *["second good"] * 10])

    letters = await read_topic(kafka_bootstrap, f"{topic_prefix}{GROUP}.dlq", until=at_least(6))
    assert await eventually(lambda: _total(effects_table, 20))
    assert sorted(letter.value for letter in letters if letter.key == b"bad") == sorted(bad)
    for letter in letters:
        headers = dict(letter.headers)
        reasons = json.loads(headers["error"])
        assert reasons
        assert reasons[0]["field"] is None
        assert reasons[0]["message"]
        assert headers["source-topic"] == f"{topic_prefix}case-events".encode()
        assert int(headers["source-offset"]) >= 0
    messages = " ".join(json.loads(dict(letter.headers)["error"])[0]["message"] for letter in letters)
    assert "unknown event type '…'" in messages  # a value of the record, left out (docs/contract.md §Topics)
    assert "refuses this event for good" in messages
    assert "handler failed: ValueError" in messages
    assert "a handler bug met this event" not in messages  # an error's message may quote the record
    assert all(n == 1 for n in (await effects(effects_table)).values())


async def test_an_event_redelivered_after_the_database_commit_changes_nothing(
    service_env: dict[str, str], effects_table: asyncpg.Pool, kafka_bootstrap: str, topic_prefix: str
) -> None:
    store = PostgresEventStore(effects_table)
    await append_replies(store, [f"reply {n}" for n in range(30)])
    relay_only = service_for(service_env, relay)
    async with relay_only.running():
        records = await read_topic(kafka_bootstrap, f"{topic_prefix}case-events", until=at_least(30))
        # A first consumer handles the batch and commits its transaction, then dies before committing
        # the offsets: nothing of the group is committed in Kafka.
        infra = relay_only.infrastructure
        first = CaseEventProcessor(
            GROUP, RecordEffects(), database=infra.database, producer=infra.producer, metrics=infra.metrics,
            dead_letter_topic=infra.topics.dlq_for_group(GROUP),
        )  # fmt: skip
        await first.process(records)
    assert len(await effects(effects_table)) == 30

    restarted = service_for(service_env, consumer(RecordEffects()))
    async with restarted.running():
        duplicates = {"group": GROUP, "outcome": "duplicate"}
        registry = restarted.infrastructure.registry
        assert await eventually(lambda: registry.get_sample_value("consumer_events_total", duplicates) == 30)
    assert list((await effects(effects_table)).values()) == [1] * 30


async def test_a_postgres_restart_mid_consuming_loses_nothing_and_dead_letters_nothing(
    isolated_servers: LocalServers,
) -> None:
    bootstrap = isolated_servers.kafka.bootstrap_servers
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "DATABASE_URL": isolated_servers.new_database(),
        "TOPIC_PREFIX": "o.",
    }
    service = service_for(env, consumer(RecordEffects()))
    infra = service.infrastructure

    async def publish(texts: list[str]) -> None:
        envelopes = [new_event(CitizenReplied(text=t)).envelope(uuid.uuid4(), 1) for t in texts]
        await produce(
            bootstrap, "o.case-events", [(str(e.case_id).encode(), encode_envelope(e)) for e in envelopes]
        )

    def retries() -> float:
        return infra.registry.get_sample_value("consumer_retries_total", {"group": GROUP}) or 0.0

    async with service.running():
        pool = infra.database.pool
        await pool.execute("CREATE TABLE effects (event_id uuid NOT NULL)")
        await publish(["before the outage"] * 500)
        assert await eventually(lambda: _total(pool, 500))
        isolated_servers.postgres.stop()
        await publish(["during the outage"] * 500)
        assert await eventually(lambda: retries() >= 6)  # some seconds of waiting, not dropping
        isolated_servers.postgres.start()
        assert await eventually(lambda: _total(pool, 1000, exact=True), within=120)
        counts = await effects(pool)
    assert len(counts) == 1000
    assert set(counts.values()) == {1}
    assert infra.registry.get_sample_value("dlq_messages_total", {"topic": f"o.{GROUP}.dlq"}) == 0


async def _total(pool: asyncpg.Pool, expected: int, *, exact: bool = False) -> bool:
    try:
        total = await pool.fetchval("SELECT count(*) FROM effects")
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return False
    return bool(total == expected if exact else total >= expected)


class HeldUntilReleased:
    """A handler that keeps its batch until the test releases it, as an endless outage would."""

    event_types = frozenset({"CitizenReplied"})

    def __init__(self) -> None:
        self.handling = asyncio.Event()
        self.released = asyncio.Event()

    async def handle(self, batch: Batch) -> None:
        self.handling.set()
        await self.released.wait()


async def test_readiness_names_a_consumer_that_holds_one_batch_too_long(service_env: dict[str, str]) -> None:
    handler = HeldUntilReleased()
    service = service_for(service_env, relay, consumer(handler), stuck_after=0.5)
    registry, held = service.infrastructure.registry, {"group": GROUP}
    async with service.running():
        assert (await service.readiness())[f"consumer:{GROUP}"] is True
        await append_replies(service.infrastructure.database.event_store, ["wait for me"])
        await asyncio.wait_for(handler.handling.wait(), 60)
        assert await eventually(lambda: _consumer_ready_is(service, False))
        checks = await service.readiness()
        assert (checks["kafka"], checks["postgres"]) == (True, True)  # the servers answer all along
        assert (registry.get_sample_value("consumer_batch_held_seconds", held) or 0.0) >= 0.5

        handler.released.set()
        assert await eventually(lambda: _consumer_ready_is(service, True))
        assert registry.get_sample_value("consumer_batch_held_seconds", held) == 0.0


async def _consumer_ready_is(service: Lifecycle, ready: bool) -> bool:
    return (await service.readiness())[f"consumer:{GROUP}"] is ready


async def test_a_topic_a_consumer_subscribes_to_first_gets_the_clusters_partitions(
    service_env: dict[str, str], effects_table: asyncpg.Pool
) -> None:
    """A group's replicas share the topic's partitions: FastStream, left to create the topic when the
    subscriber starts, would have made it one partition (nothing has been written to it yet here)."""
    service = service_for(service_env, consumer(RecordEffects()))
    infra = service.infrastructure
    async with service.running():
        partitions = await infra.producer.client.partitions_for(infra.topics.case_events)
    assert len(partitions) == 4  # the local cluster's num.partitions
