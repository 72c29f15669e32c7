"""Reading what the run left behind: the event store, the gateway's messages, the dead-letter topics."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

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


async def dead_letters(bootstrap: str, prefix: str) -> dict[str, list[str | None]]:
    """The key of every record in every ``<prefix>*.dlq`` topic (submissions' and every consumer group's)."""
    return {
        topic: [None if r.key is None else bytes(r.key).decode(errors="replace") for r in records]
        for topic, records in (await dead_letter_records(bootstrap, prefix)).items()
    }


async def dead_letter_records(bootstrap: str, prefix: str) -> dict[str, list[ConsumerRecord[bytes, bytes]]]:
    """Every record of every ``<prefix>*.dlq`` topic, by topic."""
    # Earliest: an assigned partition's first position is found by a reset, which may win the race with
    # seek_to_beginning(); at the default (latest) it would skip every record there is.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        found: dict[str, list[ConsumerRecord[bytes, bytes]]] = {}
        for topic, partitions in (await _dead_letter_partitions(bootstrap, prefix)).items():
            found[topic] = []
            if not partitions:  # being created: nothing in it yet
                continue
            consumer.assign(partitions)
            ends = await consumer.end_offsets(partitions)
            await consumer.seek_to_beginning(*partitions)
            while [p for p in partitions if await consumer.position(p) < ends[p]]:
                for records in (await consumer.getmany(timeout_ms=1000)).values():
                    found[topic] += records
        return found
    finally:
        await consumer.stop()


async def _dead_letter_partitions(bootstrap: str, prefix: str) -> dict[str, list[TopicPartition]]:
    """The partitions of every ``<prefix>*.dlq`` topic. Asked of the admin client: a consumer's
    ``partitions_for_topic`` knows only the topics it reads, and says None of every other."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return {
            str(topic["topic"]): [TopicPartition(topic["topic"], p["partition"]) for p in topic["partitions"]]
            for topic in await admin.describe_topics()
            if topic["topic"].startswith(prefix) and topic["topic"].endswith(".dlq")
        }
    finally:
        await admin.close()


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
    planted: frozenset[str] = frozenset(),
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
            planted=planted,
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
