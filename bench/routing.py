"""Routing decisions per second end to end (``ComplaintFiled`` on Kafka to ``CaseAssigned`` stored), beside a
raw consume-and-append loop (plain aiokafka and asyncpg) on the same broker and database, in one run; and
beside routing's own work written by hand on the same plain clients (both in ``bench/routing_loops.py``),
which tells the cost of the work from the cost of the service's machinery.

Run with ``make bench-routing``; prints one table and writes ``bench-results/routing.json``.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.common import Comparison, Rate, on_local_servers, render, report, write_json
from bench.routing_loops import raw_loop, route_by_hand
from services.routing.bootstrap import build_lifecycle
from services.routing.domain.rules import load_rules
from services.routing.settings import RoutingSettings
from shared.events import Envelope, encode_envelope
from shared.eventstore import EVENT_STORE, Append, Appended, PostgresEventStore, migrate
from shared.places.gazetteer import load_gazetteer
from shared.places.units_file import load_units
from shared.service.database import create_pool
from shared.service.metrics import CommonMetrics
from shared.testing.events import complaint_filed, new_event
from shared.testing.servers import LocalServers, new_topic_prefix

FILINGS = 20_000
WARM_UP = 500
CATEGORIES = ("theft", "drugs", "violence", "traffic", "land_dispute", "public_services", "nuisance", "other")
NOTES = [
    "routing: the routing service in-process (its consumer, decision, batched append_many with "
    "tracking in one transaction per batch, offsets committed after it, and its outbox relay publishing the "
    "decisions), timed from the first filing produced to the last decision stored.",
    "by hand: routing's work on plain aiokafka and asyncpg (bench/routing_loops.py): getmany(500), each "
    "filing decoded and validated in one pydantic pass and decided by routing's domain function, then one "
    "transaction (tracking rows, the decisions appended on their streams' versions with the outbox row), "
    "then an offset commit; no relay publishes the decisions.",
    "raw: aiokafka getmany(500) + one asyncpg transaction per batch inserting one row per record into a "
    "table like events (same indexes), then an offset commit; no decoding, no decision, no tracking.",
    "The three run one after another in one process (the load generator's producer shares it), on the same "
    "broker and cluster, each on a database of its own holding the filings.",
]


def filings(count: int) -> list[Append]:
    """Filings spread over the country: a district or a commune, a category, a few confidential."""
    gazetteer = load_gazetteer()
    communes = gazetteer.communes()
    rng = random.Random(7)
    appends = []
    for _ in range(count):
        commune = rng.choice(communes)
        located = rng.random() < 0.5
        data = complaint_filed(
            category=rng.choice(CATEGORIES),  # type: ignore[arg-type]
            province=commune.province,
            district=commune.district if located else None,
            commune=commune.code if not located else None,
            confidential=rng.random() < 0.1,
        )
        appends.append(Append(uuid.uuid4(), 0, [new_event(data)]))
    return appends


async def store_filings(pool: asyncpg.Pool, appends: Sequence[Append]) -> list[Envelope]:
    store = PostgresEventStore(pool)
    stored: list[Envelope] = []
    for start in range(0, len(appends), 1000):
        for result in await store.append_many(appends[start : start + 1000]):
            assert isinstance(result, Appended)
            stored.extend(result.events)
    await pool.execute("TRUNCATE outbox")  # the filings reach Kafka below, from the benchmark itself
    return stored


async def produce(bootstrap: str, topic: str, envelopes: Sequence[Envelope]) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=5, max_batch_size=256 * 1024
    )
    await producer.start()
    try:
        sends = [
            await producer.send(topic, encode_envelope(e), key=str(e.case_id).encode()) for e in envelopes
        ]
        await asyncio.gather(*sends)
    finally:
        await producer.stop()


async def wait_for_decisions(metrics: CommonMetrics, expected: int, *, within: float = 300.0) -> None:
    """Until routing's consumer has committed ``expected`` decisions: its own count of the filings it handled,
    raised once their transaction commits (a ``count(*)`` of the events every few milliseconds would cost
    PostgreSQL more than routing's statements do)."""
    deadline = time.monotonic() + within
    while handled(metrics) < expected:
        if time.monotonic() > deadline:
            raise TimeoutError(f"routing decided fewer than {expected} filings within {within}s")
        await asyncio.sleep(0.005)


def handled(metrics: CommonMetrics) -> float:
    """Routing's ``consumer_events_total{outcome="handled"}``, read from that counter alone (the registry's
    ``get_sample_value`` would collect every metric of the process on each call)."""
    (family,) = metrics.consumed.collect()
    wanted = {"group": "routing", "outcome": "handled"}
    return sum(s.value for s in family.samples if s.name.endswith("_total") and s.labels == wanted)


DECIDED = "SELECT count(*) FROM events WHERE type IN ('CaseAssigned', 'CaseNeedsTriage')"


async def routing_rate(servers: LocalServers, envelopes: Sequence[Envelope], url: str, prefix: str) -> Rate:
    settings = RoutingSettings(
        kafka_bootstrap_servers=servers.kafka.bootstrap_servers, database_url=url, topic_prefix=prefix
    )
    service = build_lifecycle(settings)
    metrics = service.infrastructure.metrics
    topic = f"{prefix}case-events"
    async with service.running():
        pool = service.infrastructure.database.pool
        await produce(servers.kafka.bootstrap_servers, topic, envelopes[:WARM_UP])
        await wait_for_decisions(metrics, WARM_UP)
        started = time.perf_counter()
        await produce(servers.kafka.bootstrap_servers, topic, envelopes[WARM_UP:])
        await wait_for_decisions(metrics, len(envelopes))
        seconds = time.perf_counter() - started
        stored = await pool.fetchval(DECIDED)
        assert stored == len(envelopes), f"{stored} decisions stored for {len(envelopes)} filings"
    rate = Rate("routing service: filing on Kafka -> decision stored", len(envelopes) - WARM_UP, seconds)
    report(rate)
    return rate


async def raw_rate(servers: LocalServers, envelopes: Sequence[Envelope], url: str, prefix: str) -> Rate:
    async with asyncpg.create_pool(url, min_size=1, max_size=2) as pool:
        await pool.execute("CREATE TABLE raw_decisions (LIKE events INCLUDING ALL)")
        return await plain_loop_rate(
            "raw aiokafka consume + asyncpg append + commit", servers, envelopes,
            topic=f"{prefix}raw-filings", group=f"{prefix}raw",
            loop=lambda consumer, until: raw_loop(consumer, pool, until),
        )  # fmt: skip


async def by_hand_rate(servers: LocalServers, appends: Sequence[Append], url: str, prefix: str) -> Rate:
    settings = RoutingSettings()
    units, rules = load_units(settings.units_file, load_gazetteer()), load_rules(settings.routing_rules_file)
    async with asyncpg.create_pool(url, min_size=1, max_size=2) as pool:
        envelopes = await store_filings(pool, appends)
        rate = await plain_loop_rate(
            "routing's work by hand: decode, decide, track, append", servers, envelopes,
            topic=f"{prefix}by-hand-filings", group=f"{prefix}by-hand",
            loop=lambda consumer, until: route_by_hand(consumer, pool, units, rules, until),
        )  # fmt: skip
        stored = await pool.fetchval(DECIDED)
        assert stored == len(envelopes), f"{stored} decisions stored by hand for {len(envelopes)} filings"
    return rate


async def plain_loop_rate(
    name: str,
    servers: LocalServers,
    envelopes: Sequence[Envelope],
    *,
    topic: str,
    group: str,
    loop: Callable[[AIOKafkaConsumer, int], Awaitable[None]],
) -> Rate:
    """Time ``loop`` on a plain consumer of ``topic``: a warm-up of ``WARM_UP`` filings, then the rest
    produced while it consumes, timed from the first send until it has handled them all."""
    bootstrap = servers.kafka.bootstrap_servers
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
        auto_offset_reset="earliest", fetch_max_wait_ms=20, max_poll_records=500,
    )  # fmt: skip
    await consumer.start()
    try:
        await produce(bootstrap, topic, envelopes[:WARM_UP])
        await loop(consumer, WARM_UP)
        started = time.perf_counter()
        producing = asyncio.create_task(produce(bootstrap, topic, envelopes[WARM_UP:]))
        await loop(consumer, len(envelopes))
        await producing
        seconds = time.perf_counter() - started
    finally:
        await consumer.stop()
    rate = Rate(name, len(envelopes) - WARM_UP, seconds)
    report(rate)
    return rate


async def run(servers: LocalServers) -> list[Rate]:
    routing_url, by_hand_url, raw_url = (servers.new_database() for _ in range(3))
    for url in (routing_url, by_hand_url, raw_url):
        async with create_pool(url, min_size=1, max_size=1) as pool, pool.acquire() as connection:
            await migrate(connection, [EVENT_STORE])
    appends = filings(FILINGS + WARM_UP)
    async with create_pool(routing_url, min_size=1, max_size=4) as pool:
        envelopes = await store_filings(pool, appends)
    prefix = new_topic_prefix()
    routed = await routing_rate(servers, envelopes, routing_url, prefix)
    by_hand = await by_hand_rate(servers, appends, by_hand_url, prefix)
    raw = await raw_rate(servers, envelopes, raw_url, prefix)
    return [routed, by_hand, raw]


def main() -> None:
    routed, by_hand, raw = on_local_servers("routing", lambda servers, _: run(servers))
    compared = [Comparison(routed, raw, target=0.7), Comparison(routed, by_hand), Comparison(by_hand, raw)]
    print()
    print(render("routing benchmark (decisions/s; ratio = measurement / baseline)", compared))
    print(f"written to {write_json('routing', [routed, by_hand, raw], compared, NOTES)}")


if __name__ == "__main__":
    main()
