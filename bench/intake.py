"""How fast intake accepts complaints, through Kafka and through HTTP, beside the event store's raw
single-event append rate measured in the same run, on servers this benchmark starts for itself.

Intake runs as its own process (``python -m services.intake``, as the launcher starts it): the consumer,
the HTTP API, the outbox relay and the case status projection all share its CPU, as in production.
Run with ``make bench-intake``; prints one table and writes ``bench-results/intake.json``.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer

from bench.common import (
    Comparison,
    Rate,
    measure,
    on_local_servers,
    post_keep_alive,
    render,
    report,
    run_concurrently,
    write_json,
)
from shared.events import NewEvent
from shared.eventstore import EVENT_STORE, PostgresEventStore, migrate
from shared.localstack.process import http_ok, wait_until
from shared.service.database import create_pool
from shared.testing.events import new_event
from shared.testing.servers import UNBOUNDED_COMPLAINTS, LocalServers, ServiceProcess, new_topic_prefix

RAW_APPENDS = 20_000  # single-event store.append calls on 8 connections (the baseline)
KAFKA_SUBMISSIONS = 20_000  # produced in one burst
HTTP_SUBMISSIONS = 10_000
TRANSPORT_ATTEMPTS = 3  # an httpx request that meets a closed keep-alive connection is sent again
HTTP_CONCURRENCY = 64  # requests in flight from the load generator
PACED_RATE = 200  # submissions/s for the latency of an unsaturated intake
PACED_SECONDS = 5
WARM_UP = 300
TIMEOUT = 300.0


def submission(**changes: object) -> dict[str, object]:
    """A valid ChannelSubmission with a citizen's contact, a Khmer text and a place; ``changes`` applied."""
    body: dict[str, object] = {
        "channel": "hotline",
        "submitted_at": datetime.now(UTC).isoformat(),
        "text": "ប៉ូលិសមិនព្រមទទួលពាក្យបណ្ដឹងរបស់ខ្ញុំទេ នៅស្រុកពួក ខេត្តសៀមរាប។",
        "category": "theft",
        "location": {"province": "Siem Reap", "district": "Puok"},
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def encode(body: dict[str, object]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


def phone(i: int) -> str:
    """A valid Cambodian mobile number of citizen ``i`` (one citizen in ten complains twice)."""
    return f"097{i - i % 10 if i % 10 == 9 else i:07d}"


def kafka_bodies(count: int, tag: str) -> list[bytes]:
    """Valid submissions of every shape: channels, Khmer and English places, a citizen or anonymous."""
    shapes: list[dict[str, object]] = [
        {},
        {"channel": "sms", "location": None},
        {"channel": "facebook", "location": None},
        {"channel": "commune_office", "citizen": {"anonymous": True}, "location": {"province": "12"}},
        {"channel": "web", "category": "corruption"},
    ]
    bodies = []
    for i in range(count):
        citizen = {"name": "Sok Dara", "phone": phone(i)} if i % 5 != 2 else {"facebook_psid": f"psid-{i}"}
        changes = {"channel_message_id": f"{tag}-{i}", "citizen": citizen, **shapes[i % len(shapes)]}
        bodies.append(encode(submission(**changes)))
    return bodies


async def filed(pool: asyncpg.Pool) -> int:
    """Complaints filed so far: the references handed out, one per case in its filing transaction (a narrow
    table: a ``count(*)`` of the events, 50 times a second, cost PostgreSQL a quarter of a core)."""
    return int(await pool.fetchval("SELECT count(*) FROM intake_references"))


async def wait_filed(pool: asyncpg.Pool, count: int) -> None:
    deadline = time.monotonic() + TIMEOUT
    while await filed(pool) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"intake filed {await filed(pool)} of {count} within {TIMEOUT:.0f} s")
        await asyncio.sleep(0.02)


async def produce(producer: AIOKafkaProducer, topic: str, bodies: Sequence[bytes]) -> None:
    sends = [await producer.send(topic, body) for body in bodies]
    await asyncio.gather(*sends)


async def kafka_intake(pool: asyncpg.Pool, bootstrap: str, topic: str) -> tuple[Rate, list[float]]:
    """Burst throughput, then the produce-to-filed latency of a paced stream."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, max_batch_size=256 * 1024)
    await producer.start()
    try:
        await produce(producer, topic, kafka_bodies(WARM_UP, "warm"))
        await wait_filed(pool, WARM_UP)
        bodies = kafka_bodies(KAFKA_SUBMISSIONS, "burst")
        started = time.perf_counter()
        await produce(producer, topic, bodies)
        await wait_filed(pool, WARM_UP + KAFKA_SUBMISSIONS)
        rate = Rate(
            "intake: Kafka submissions filed (burst)", KAFKA_SUBMISSIONS, time.perf_counter() - started
        )
        report(rate)
        slot, per_slot = 0.1, PACED_RATE // 10  # a tenth of a second's worth at a time
        begin = time.perf_counter()
        for n in range(PACED_SECONDS * 10):
            await produce(producer, topic, kafka_bodies(per_slot, f"paced-{n}"))
            await asyncio.sleep(max(0.0, begin + (n + 1) * slot - time.perf_counter()))
        await wait_filed(pool, WARM_UP + KAFKA_SUBMISSIONS + PACED_RATE * PACED_SECONDS)
    finally:
        await producer.stop()
    rows = await pool.fetch(
        """SELECT extract(epoch FROM recorded_at - (data->>'submitted_at')::timestamptz) AS seconds
           FROM events WHERE data->>'channel_message_id' LIKE 'paced-%'"""
    )
    return rate, [float(row["seconds"]) for row in rows]


def web_bodies(count: int, tag: str) -> list[tuple[str, bytes]]:
    """``count`` web complaints of distinct citizens, each with its Idempotency-Key."""
    return [
        (
            f"{tag}-{uuid.uuid4()}",
            encode(submission(channel=None, submitted_at=None, citizen={"phone": phone(i)})),
        )
        for i in range(count)
    ]


async def httpx_load(base_url: str, count: int, concurrency: int, tag: str) -> tuple[Rate, list[float]]:
    """``count`` POSTs from an httpx AsyncClient with ``concurrency`` in flight; the rate and latencies."""
    work = iter(web_bodies(count, tag))
    latencies: list[float] = []
    resent = [0]
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:

        async def worker() -> None:
            for key, body in work:
                sent = time.perf_counter()
                for attempt in range(1, TRANSPORT_ATTEMPTS + 1):
                    try:
                        answer = await client.post(
                            "/v1/complaints", content=body, headers={"Idempotency-Key": key}
                        )
                        break
                    except httpx.TransportError:
                        # A pooled connection the server closed as it was reused: send again, as a client
                        # with an Idempotency-Key may (the same key files the complaint once).
                        if attempt == TRANSPORT_ATTEMPTS:
                            raise
                        resent[0] += 1
                latencies.append(time.perf_counter() - sent)
                if answer.status_code != 202:
                    raise RuntimeError(f"intake answered {answer.status_code}: {answer.text}")

        seconds = await run_concurrently(worker() for _ in range(concurrency))
    name = f"intake: HTTP POST, httpx, {concurrency} in flight ({resent[0]} resent on a closed connection)"
    return Rate(name, count, seconds), latencies


async def raw_load(port: int, count: int, concurrency: int, tag: str) -> tuple[Rate, list[float]]:
    """The same POSTs from ``concurrency`` plain keep-alive HTTP/1.1 connections (asyncio streams): a
    client light enough that the figure is intake's, not the load generator's."""
    requests = [
        f"POST /v1/complaints HTTP/1.1\r\nHost: intake\r\nContent-Type: application/json\r\n"
        f"Idempotency-Key: {key}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
        for key, body in web_bodies(count, tag)
    ]
    seconds, latencies = await post_keep_alive(port, requests, concurrency, b"HTTP/1.1 202", "intake")
    return Rate(f"intake: HTTP POST, plain client, {concurrency} in flight", count, seconds), latencies


def percentiles(name: str, seconds: Sequence[float]) -> str:
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    line = f"{name}: p50 {cuts[49] * 1000:.1f} ms, p99 {cuts[98] * 1000:.1f} ms ({len(seconds)} samples)"
    print(f"  {line}", flush=True)
    return line


async def raw_appends(servers: LocalServers) -> Rate:
    """The baseline: ``PostgresEventStore.append`` of one event per call (and transaction), 8 at a time."""
    url = await asyncio.to_thread(servers.new_database)
    async with create_pool(url, min_size=8, max_size=8) as pool:
        async with pool.acquire() as connection:
            await migrate(connection, [EVENT_STORE])
        store = PostgresEventStore(pool)

        def plan(events: int) -> list[list[tuple[uuid.UUID, NewEvent]]]:
            return [[(uuid.uuid4(), new_event()) for _ in range(events // 8)] for _ in range(8)]

        async def run(plans: list[list[tuple[uuid.UUID, NewEvent]]]) -> float:
            async def worker(steps: list[tuple[uuid.UUID, NewEvent]]) -> None:
                for case_id, event in steps:
                    await store.append(case_id, 0, [event])

            return await run_concurrently(worker(steps) for steps in plans)

        return await measure("event store: store.append 1 event/tx, 8 conns", RAW_APPENDS, plan, run)


async def run_all(servers: LocalServers, log_dir: Path) -> tuple[dict[str, Rate], list[str]]:
    rates: dict[str, Rate] = {"raw": await raw_appends(servers)}
    url = await asyncio.to_thread(servers.new_database)
    prefix = new_topic_prefix()
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": servers.kafka.bootstrap_servers,
        "DATABASE_URL": url,
        "TOPIC_PREFIX": prefix,
        **UNBOUNDED_COMPLAINTS,
    }
    service = ServiceProcess("intake", env, log_dir / "intake.log")
    await asyncio.to_thread(service.start)
    lines: list[str] = []
    try:
        ready = f"{service.url}/readyz"
        await asyncio.to_thread(
            wait_until, lambda: http_ok(ready), what="intake ready", timeout=60, log=service.log_path
        )
        async with asyncpg.create_pool(url, min_size=1, max_size=2) as pool:
            rates["kafka"], kafka_latency = await kafka_intake(
                pool, servers.kafka.bootstrap_servers, f"{prefix}complaints.submissions"
            )
        lines.append(percentiles(f"Kafka produce-to-filed latency at {PACED_RATE}/s", kafka_latency))
        await raw_load(service.port, WARM_UP, HTTP_CONCURRENCY, "warm")
        rates["http"], latency = await raw_load(service.port, HTTP_SUBMISSIONS, HTTP_CONCURRENCY, "load")
        report(rates["http"])
        lines.append(percentiles(f"HTTP accept latency, plain client, {HTTP_CONCURRENCY} in flight", latency))
        rates["httpx"], latency = await httpx_load(
            service.url, HTTP_SUBMISSIONS // 2, HTTP_CONCURRENCY, "httpx"
        )
        report(rates["httpx"])
        lines.append(percentiles(f"HTTP accept latency, httpx, {HTTP_CONCURRENCY} in flight", latency))
        _, latency = await raw_load(service.port, 1000, 1, "single")
        lines.append(percentiles("HTTP accept latency, plain client, 1 in flight", latency))
    finally:
        await asyncio.to_thread(service.stop)
    return rates, lines


NOTES = (
    f"Baseline: PostgresEventStore.append of one event per transaction (a new stream each) from 8 "
    f"connections ({RAW_APPENDS} appends), in the same run on the same servers.",
    f"Kafka: intake (python -m services.intake, batches of 500, one transaction each) files a burst of "
    f"{KAFKA_SUBMISSIONS} valid submissions of five shapes produced at once; timed from the first send to "
    "the last ComplaintFiled stored. The relay publishes and the case status projection consumes meanwhile.",
    f"Kafka latency: {PACED_RATE} submissions/s for {PACED_SECONDS} s; submitted_at (set when produced) to "
    "the filing transaction's start (events.recorded_at).",
    f"HTTP: {HTTP_SUBMISSIONS} POST /v1/complaints of distinct citizens with distinct Idempotency-Keys, "
    f"{HTTP_CONCURRENCY} in flight on keep-alive connections, from a plain asyncio HTTP/1.1 client in the "
    "benchmark's process (the load generator shares the 2 cores with intake, PostgreSQL and Kafka); then "
    f"{HTTP_SUBMISSIONS // 2} from an httpx AsyncClient, whose own CPU cost caps what it can measure here. "
    "Latency is per request, as the client saw it.",
    "Numbers taken while other work runs on the machine are noisy; timings are informational.",
)


def main() -> None:
    rates, lines = on_local_servers("intake", run_all)
    target = Rate("target: 1,000 complaints/s", 1000, 1.0)
    compared = [
        Comparison(rates["kafka"], rates["raw"], target=0.5),
        Comparison(rates["http"], target, target=1.0),
        Comparison(rates["httpx"], target),
    ]
    print()
    print(render("intake benchmark (events/s; ratio = measurement / baseline)", compared))
    print("\n".join(lines))
    path = write_json("intake", [*rates.values(), target], compared, [*NOTES, *lines])
    print(f"written to {path}")


if __name__ == "__main__":
    main()
