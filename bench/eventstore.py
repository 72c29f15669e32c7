"""How fast the event store appends and the outbox relay publishes, beside plain asyncpg, plain aiokafka and
the ``eventsourcing`` library's PostgreSQL recorder, on servers this benchmark starts for itself.

Run with ``make bench-eventstore``; prints one table and writes ``bench-results/eventstore.json``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from bench.common import (
    Comparison,
    P,
    Plan,
    Rate,
    measure,
    on_local_servers,
    publish,
    report,
    run_concurrently,
    split,
)
from shared.events import NewEvent
from shared.eventstore import (
    EVENT_STORE,
    Append,
    PostgresEventStore,
    VersionConflictError,
    migrate,
)
from shared.eventstore.port import version_of
from shared.messaging.outbox_relay import PENDING, RELAY_SESSION, OutboxRelay
from shared.service.database import create_pool
from shared.service.infrastructure import Infrastructure
from shared.service.lifecycle import Lifecycle
from shared.service.producer import Producer
from shared.service.settings import ServiceSettings
from shared.testing.events import new_event
from shared.testing.servers import LocalServers, new_topic_prefix

SINGLE_ON_ONE = 5_000  # single-event appends on 1 connection
SINGLE_ON_EIGHT = 20_000  # and on 8
EVENTS_PER_STREAM = 5  # a stream's first single append creates it, the next four extend it
BATCHED = 40_000  # events per batched measurement, on 8 connections
BATCH = 100  # events per transaction
STORED = 100_000  # streams already in the store, for the measurement of a store in service
IN_SERVICE = 2_000  # single appends on a store in service
SAVES_ON_ONE = 1_000  # eventsourcing aggregates saved by 1 thread
SAVES_ON_EIGHT = 2_000  # and by 8
RELAYED = 50_000  # events in the outbox when the relay starts
POLL = 0.01  # seconds between two looks at the outbox
DRAIN_TIMEOUT = 120.0

Step = tuple[UUID, int, NewEvent]  # a single append: the stream, the version expected, the event
Batch = Sequence[Append]  # the appends of one transaction
Steps = list[list[Step]]  # a measurement's single appends, one list per worker
Batches = list[list[Batch]]  # a measurement's batches, one list per worker
PoolRun = Callable[[asyncpg.Pool, P], Awaitable[float]]  # does a plan on a pool; the seconds it took

_COLUMNS = (
    "case_id", "version", "event_id", "type", "schema_version", "idempotency_key", "occurred_at", "producer",
    "causation_id", "correlation_id", "actor_kind", "actor_id", "data",
)  # fmt: skip
_TYPES = ("uuid", "int", "uuid", "text", "int", "text", "timestamptz", "text", "uuid", "uuid", "text", "text")
# The raw baseline table: the events table's columns, defaults and unique indexes, and nothing else (no
# outbox row, no version check): what a plain single-statement insert of an event costs.
_RAW_TABLE = "CREATE TABLE raw_events (LIKE events INCLUDING ALL)"
_INSERT_ONE = (
    f"INSERT INTO raw_events ({', '.join(_COLUMNS)}) VALUES ({', '.join(f'${i}' for i in range(1, 14))})"
)
_INSERT_UNNEST = (
    f"INSERT INTO raw_events ({', '.join(_COLUMNS)}) SELECT * FROM unnest("
    + ", ".join(f"${i}::{t}[]" for i, t in enumerate((*_TYPES, "jsonb"), 1))
    + ")"
)
_PREFILL = """
INSERT INTO {table} (event_id, case_id, version, type, schema_version, idempotency_key, occurred_at, producer,
                     actor_kind, actor_id, data)
SELECT gen_random_uuid(), gen_random_uuid(), 1, 'CaseNeedsTriage', 1, 'stored:' || n, now(), 'bench',
       'system', 'bench', '{{"reason": "stored"}}'
FROM generate_series(1, $1) AS n
"""
# The index on id answers at once, where count(*) would scan the table 100 times a second beside the relay.
_OUTBOX_EMPTY = "SELECT min(id) IS NULL FROM outbox"


# --- plans: the work of a measurement, built before its clock starts -----------------------------------


def single_steps(workers: int) -> Plan[Steps]:
    """Each worker appends one event at a time to streams of its own."""

    def plan(events: int) -> Steps:
        return [_streams(events // workers) for _ in range(workers)]

    return plan


def _streams(appends: int) -> list[Step]:
    steps: list[Step] = []
    case_id = uuid4()
    for i in range(appends):
        if i % EVENTS_PER_STREAM == 0:
            case_id = uuid4()
        steps.append((case_id, i % EVENTS_PER_STREAM, new_event()))
    return steps


def batches(workers: int, *, streams_per_batch: int) -> Plan[Batches]:
    """Batches of ``BATCH`` events on new streams: one event each to ``BATCH`` streams, or all to one."""

    def batch() -> Batch:
        per_stream = BATCH // streams_per_batch
        return [
            Append(uuid4(), 0, [new_event() for _ in range(per_stream)]) for _ in range(streams_per_batch)
        ]

    def plan(events: int) -> Batches:
        return [list(part) for part in split([batch() for _ in range(events // BATCH)], workers)]

    return plan


def _row(case_id: UUID, version: int, new: NewEvent) -> tuple[object, ...]:
    envelope = new.envelope(case_id, version)
    return (
        case_id, version, envelope.event_id, envelope.type, envelope.schema_version, new.idempotency_key,
        envelope.occurred_at, envelope.producer, envelope.causation_id, envelope.correlation_id,
        envelope.actor.kind, envelope.actor.id, json.dumps(envelope.data),
    )  # fmt: skip


def _batch_rows(batch: Batch) -> list[tuple[object, ...]]:
    return [
        _row(append.case_id, version_of(append) + i, new)
        for append in batch
        for i, new in enumerate(append.events, 1)
    ]


# --- runs: each does a plan and returns the seconds it took ---------------------------------------------


async def store_appends(pool: asyncpg.Pool, plans: Steps) -> float:
    """``PostgresEventStore.append`` without a connection: it takes one from the pool each time."""
    store = PostgresEventStore(pool)

    async def worker(steps: list[Step]) -> None:
        for case_id, version, new in steps:
            await store.append(case_id, version, [new])

    return await run_concurrently(worker(steps) for steps in plans)


async def raw_inserts(pool: asyncpg.Pool, plans: Steps) -> float:
    """One autocommitted single-row INSERT per event, on a connection each worker holds."""
    rows = [[_row(case_id, version + 1, new) for case_id, version, new in steps] for steps in plans]

    async def worker(mine: list[tuple[object, ...]]) -> None:
        async with pool.acquire() as connection:
            for row in mine:
                await connection.execute(_INSERT_ONE, *row)

    return await run_concurrently(worker(mine) for mine in rows)


async def store_batches(pool: asyncpg.Pool, plans: Batches) -> float:
    """``PostgresEventStore.append_many``: one transaction per batch (new streams: COPY into both tables)."""
    store = PostgresEventStore(pool)

    async def worker(mine: list[Batch]) -> None:
        for batch in mine:
            results = await store.append_many(batch)
            if any(isinstance(result, VersionConflictError) for result in results):
                raise RuntimeError("the benchmark's own streams conflicted: its plan is wrong")

    return await run_concurrently(worker(mine) for mine in plans)


async def raw_unnest(pool: asyncpg.Pool, plans: Batches) -> float:
    """``INSERT .. SELECT * FROM unnest(<one array per column>)``: one autocommitted statement per batch."""
    work = [
        [[list(column) for column in zip(*_batch_rows(batch), strict=True)] for batch in mine]
        for mine in plans
    ]

    async def worker(mine: list[list[list[object]]]) -> None:
        async with pool.acquire() as connection:
            for columns in mine:
                await connection.execute(_INSERT_UNNEST, *columns)

    return await run_concurrently(worker(mine) for mine in work)


async def raw_copy(pool: asyncpg.Pool, plans: Batches) -> float:
    """``COPY raw_events FROM STDIN (binary)`` of one batch at a time."""
    work = [[_batch_rows(batch) for batch in mine] for mine in plans]

    async def worker(mine: list[list[tuple[object, ...]]]) -> None:
        async with pool.acquire() as connection:
            for rows in mine:
                await connection.copy_records_to_table("raw_events", records=rows, columns=_COLUMNS)

    return await run_concurrently(worker(mine) for mine in work)


# --- measurements, each on databases and topics of its own ------------------------------------------------


async def fresh_database(servers: LocalServers, stored: int = 0) -> str:
    """A new database with the event store's tables and the raw baseline table, each holding ``stored``
    one-event streams already (analyzed); its URL."""
    url = await asyncio.to_thread(servers.new_database)
    connection = await asyncpg.connect(url)
    try:
        await migrate(connection, [EVENT_STORE])
        await connection.execute(_RAW_TABLE)
        if stored:
            for table in ("events", "raw_events"):
                await connection.execute(_PREFILL.format(table=table), stored)
            await connection.execute("ANALYZE events, raw_events")
    finally:
        await connection.close()
    return url


async def on_fresh_database(
    servers: LocalServers,
    name: str,
    *,
    conns: int,
    events: int,
    plan: Plan[P],
    run: PoolRun[P],
    stored: int = 0,
) -> Rate:
    """``measure`` on a database of its own, so that no measurement inherits the rows of another."""
    url = await fresh_database(servers, stored)
    async with create_pool(url, min_size=conns, max_size=conns) as pool:
        return await measure(name, events, plan, partial(run, pool))


async def single_appends(servers: LocalServers) -> dict[str, Rate]:
    one = partial(on_fresh_database, servers, conns=1, events=SINGLE_ON_ONE, plan=single_steps(1))
    eight = partial(on_fresh_database, servers, conns=8, events=SINGLE_ON_EIGHT, plan=single_steps(8))
    # A store in service is not empty, and its statistics are up to date.
    in_service = partial(
        on_fresh_database, servers, conns=8, events=IN_SERVICE, plan=single_steps(8), stored=STORED
    )
    return {
        "store_1": await one("store.append 1 event, 1 conn", run=store_appends),
        "raw_1": await one("raw INSERT 1 row, autocommit, 1 conn", run=raw_inserts),
        "store_8": await eight("store.append 1 event, 8 conns", run=store_appends),
        "raw_8": await eight("raw INSERT 1 row, autocommit, 8 conns", run=raw_inserts),
        "store_stored_8": await in_service(
            f"store.append 1 event, 8 conns, {STORED // 1000}k stored", run=store_appends
        ),
        "raw_stored_8": await in_service(
            f"raw INSERT 1 row, autocommit, 8 conns, {STORED // 1000}k stored", run=raw_inserts
        ),
    }


async def batched_appends(servers: LocalServers) -> dict[str, Rate]:
    eight = partial(on_fresh_database, servers, conns=8, events=BATCHED)
    many, one = batches(8, streams_per_batch=BATCH), batches(8, streams_per_batch=1)
    return {
        "store_many": await eight(
            f"store.append_many {BATCH} streams x 1 event/tx, 8 conns", plan=many, run=store_batches
        ),
        "store_one": await eight(
            f"store.append 1 stream x {BATCH} events/tx, 8 conns", plan=one, run=store_batches
        ),
        "raw_unnest": await eight(f"raw INSERT..unnest {BATCH} rows/tx, 8 conns", plan=many, run=raw_unnest),
        "raw_copy": await eight(f"raw COPY {BATCH} rows/tx, 8 conns", plan=many, run=raw_copy),
    }


class Note(Aggregate):
    """The smallest aggregate: created by one event."""

    @event("Noted")
    def __init__(self, reason: str) -> None:
        self.reason = reason


def eventsourcing_app(url: str, threads: int) -> Application[UUID]:
    """An ``Application`` on the library's PostgreSQL persistence, in the database of ``url``."""
    parts = urlsplit(url)
    return Application(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parts.path.lstrip("/"),
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": parts.username or "postgres",
            "POSTGRES_PASSWORD": parts.password or "",
            "POSTGRES_POOL_SIZE": str(threads),
        }
    )


async def eventsourcing_saves(servers: LocalServers) -> dict[str, Rate]:
    url = await asyncio.to_thread(servers.new_database)
    loop = asyncio.get_running_loop()
    rates: dict[str, Rate] = {}
    for threads, saves in ((1, SAVES_ON_ONE), (8, SAVES_ON_EIGHT)):
        app = eventsourcing_app(url, threads)

        def save_all(notes: Sequence[Note], app: Application[UUID] = app) -> None:
            for note in notes:
                app.save(note)

        def plan(events: int, threads: int = threads) -> list[Sequence[Note]]:
            return split([Note("bench") for _ in range(events)], threads)

        with ThreadPoolExecutor(threads) as executor:

            async def run(plans: list[Sequence[Note]], executor: ThreadPoolExecutor = executor) -> float:
                return await run_concurrently(
                    loop.run_in_executor(executor, save_all, part) for part in plans
                )

            label = f"{threads} thread{'s' if threads > 1 else ''}"
            rates[f"es_{threads}"] = await measure(
                f"eventsourcing Application.save, {label}", saves, plan, run
            )
        app.close()
    return rates


async def relay_and_producer(servers: LocalServers) -> dict[str, Rate]:
    url = await fresh_database(servers)
    bootstrap, prefix = servers.kafka.bootstrap_servers, new_topic_prefix()
    raw_topic = f"{prefix}raw-producer"
    await create_topics(bootstrap, [ServiceSettings(topic_prefix=prefix).topics.case_events, raw_topic])
    async with create_pool(url, min_size=8, max_size=8, server_settings=RELAY_SESSION) as pool:
        await store_batches(pool, batches(8, streams_per_batch=BATCH)(RELAYED))
        rows = await pool.fetch(PENDING, RELAYED, [])  # what the relay will publish, byte for byte
    payloads = [(row["key"].encode(), row["payload"].encode()) for row in rows]
    producer = Rate(
        "aiokafka producer, send all then gather",
        len(payloads),
        await produce(bootstrap, raw_topic, payloads),
    )
    report(producer)
    relay = Rate("OutboxRelay draining the outbox", len(payloads), await drain(url, bootstrap, prefix))
    report(relay)
    return {"producer": producer, "relay": relay}


async def create_topics(bootstrap: str, names: Sequence[str]) -> None:
    """Create the topics up front, so that neither side of the comparison waits on their creation."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, num_partitions=4, replication_factor=1) for name in names])
    finally:
        await admin.close()


async def produce(bootstrap: str, topic: str, payloads: Sequence[tuple[bytes, bytes]]) -> float:
    """Send every payload keyed without awaiting each, then gather: a service's own producer."""
    producer = Producer(bootstrap, "bench-eventstore")
    await producer.start()
    try:
        started = time.perf_counter()
        sent = [await producer.client.send(topic, value, key=key) for key, value in payloads]
        await asyncio.gather(*sent)
        return time.perf_counter() - started
    finally:
        await producer.stop()


async def drain(url: str, bootstrap: str, prefix: str) -> float:
    """Start a service running the relay and time it until the outbox is empty."""
    settings = ServiceSettings(kafka_bootstrap_servers=bootstrap, database_url=url, topic_prefix=prefix)
    infra = Infrastructure.build("bench-relay", settings)
    relay = OutboxRelay(infra.database, infra.producer, infra.topics.case_events, infra.registry)
    async with Lifecycle(infra, [relay]).running():
        started = time.perf_counter()
        for _ in range(int(DRAIN_TIMEOUT / POLL)):
            if await infra.database.pool.fetchval(_OUTBOX_EMPTY):
                return time.perf_counter() - started
            await asyncio.sleep(POLL)
    raise TimeoutError(f"the relay left events in the outbox after {DRAIN_TIMEOUT:.0f} s")


# --- the whole run ---------------------------------------------------------------------------------------


def comparisons(rates: dict[str, Rate]) -> list[Comparison]:
    raw_batched = max(rates["raw_unnest"], rates["raw_copy"], key=lambda rate: rate.per_second)
    return [
        Comparison(rates["store_1"], rates["raw_1"]),
        Comparison(rates["store_8"], rates["raw_8"], target=0.5),
        Comparison(rates["store_stored_8"], rates["raw_stored_8"]),
        Comparison(rates["store_1"], rates["es_1"]),
        Comparison(rates["store_8"], rates["es_8"], target=5),
        Comparison(rates["store_many"], raw_batched, target=0.5),
        Comparison(rates["store_one"], raw_batched, target=0.5),
        Comparison(rates["relay"], rates["producer"], target=0.5),
    ]


NOTES = (
    "Raw baselines insert into raw_events (LIKE events INCLUDING ALL: same columns, defaults and unique "
    "indexes on (case_id, version), (case_id, idempotency_key), event_id); no outbox row, no version check.",
    f"Single appends: each worker appends 1 event at a time to streams of its own, {EVENTS_PER_STREAM} "
    "appends per stream (the first creates it); store.append takes a pool connection per call.",
    f"Batched: {BATCH} events per transaction on 8 connections for the store and the raw baseline alike; "
    "the baseline is the faster of INSERT..unnest and COPY.",
    "eventsourcing: Application(PERSISTENCE_MODULE=eventsourcing.postgres) saving a one-event aggregate each "
    "time, from 1 thread and from 8 threads sharing one application.",
    f"Relay: {RELAYED} events put in the outbox first; timed from the service having started until the "
    "outbox is empty (checked every 10 ms). The producer baseline sends the same keyed payloads with the "
    "services' producer settings (idempotent, acks=all, linger 2 ms, 256 KiB batches, the partitioner of "
    "shared/service/partitioner.py) to its own topic; both topics are created beforehand with 4 "
    "partitions.",
    f"'{STORED // 1000}k stored': the events table and raw_events hold {STORED} one-event streams, analyzed, "
    "before the clock starts (elsewhere the tables start empty, without statistics, as in a new database).",
    "Every store and raw measurement runs on a fresh database (no rows inherited from another), after a "
    "small warm-up on it; timings are informational, not asserted.",
)


async def run_all(servers: LocalServers) -> dict[str, Rate]:
    rates: dict[str, Rate] = {}
    for part in (single_appends, batched_appends, eventsourcing_saves, relay_and_producer):
        rates.update(await part(servers))
    return rates


def main() -> None:
    started = time.monotonic()
    rates = on_local_servers("eventstore", lambda servers, _: run_all(servers))
    title = "event store benchmark (events/s; ratio = measurement / baseline; load average {:.1f})"
    path = publish("eventstore", title, list(rates.values()), comparisons(rates), NOTES)
    print(f"written to {path}; {time.monotonic() - started:.0f} s in all")


if __name__ == "__main__":
    main()
