"""Reading what the run left behind: the event store, the gateway's messages, the dead-letter topics."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.service.retry import Backoff, is_transient
from tests.chaos.checks import Complaint, Findings, Sms, StoredEvent, examine

T = TypeVar("T")


async def patiently(attempt: Callable[[], Awaitable[T]], *, within: float) -> T:
    """``attempt`` again while a server is restarting, for at most ``within`` seconds."""
    backoff = Backoff(first=0.1, cap=2.0)

    async def retried() -> T:
        while True:
            try:
                return await attempt()
            except Exception as error:
                if not (is_transient(error) or isinstance(error, httpx.TransportError)):
                    raise
                await backoff.wait()

    return await asyncio.wait_for(retried(), timeout=within)


async def stored_events(pool: asyncpg.Pool) -> list[StoredEvent]:
    rows = await pool.fetch(
        "SELECT event_id, case_id, type, data::text AS data FROM events ORDER BY position"
    )
    return [StoredEvent(r["event_id"], r["case_id"], r["type"], json.loads(r["data"])) for r in rows]


async def outbox_empty(pool: asyncpg.Pool) -> bool:
    return bool(await pool.fetchval("SELECT NOT EXISTS (SELECT 1 FROM outbox)"))


async def gateway_messages(client: httpx.AsyncClient, gateway: str) -> list[Sms]:
    answer = await client.get(f"{gateway}/messages")
    answer.raise_for_status()
    return [Sms(str(m["sid"]), str(m["to"]), str(m["body"])) for m in answer.json()]


async def dead_letters(bootstrap: str, prefix: str) -> dict[str, int]:
    """Records in every ``<prefix>*.dlq`` topic (submissions' and every consumer group's)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        topics = sorted(t for t in await consumer.topics() if t.startswith(prefix) and t.endswith(".dlq"))
        counts = {}
        for topic in topics:
            partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
            starts = await consumer.beginning_offsets(partitions)
            ends = await consumer.end_offsets(partitions)
            counts[topic] = sum(ends[p] - starts[p] for p in partitions)
        return counts
    finally:
        await consumer.stop()


async def settle(
    complaints: list[Complaint],
    pool: asyncpg.Pool,
    client: httpx.AsyncClient,
    gateway: str,
    kafka: tuple[str, str],
    *,
    top_level: int,
    patience: float,
    within: float,
    quiet: float,
) -> Findings:
    """Look every few seconds until nothing is missing and the outbox is empty, for as long as what is
    missing keeps shrinking (``patience`` seconds without progress end it; ``within`` caps it: a busy
    machine is slow, not wrong); then once more after ``quiet`` seconds, when a late duplicate (a lease
    ending, a redelivery) would show."""

    async def look() -> Findings:
        return examine(
            complaints,
            await patiently(lambda: stored_events(pool), within=60),
            await patiently(lambda: gateway_messages(client, gateway), within=60),
            await patiently(lambda: dead_letters(*kafka), within=60),
            top_level=top_level,
        )

    deadline = time.monotonic() + within
    found = await look()
    missing, stalled_at = found.lost, time.monotonic() + patience
    while time.monotonic() < min(deadline, stalled_at):
        if found.settled and await patiently(lambda: outbox_empty(pool), within=60):
            break
        await asyncio.sleep(3)
        found = await look()
        if found.lost < missing:
            missing, stalled_at = found.lost, time.monotonic() + patience
    await asyncio.sleep(quiet)
    return await look()
