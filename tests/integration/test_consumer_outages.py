"""The case-events consumer under a database that cancels its statements, and with a record no retry can
handle: the first is an outage (held, retried, nothing marked handled or dead-lettered), the second goes to
the DLQ at once, named without its values (docs/operations.md §What counts as an outage)."""

import asyncio
import json
import time

import asyncpg
import pytest

from shared.messaging.consumer import Batch
from shared.service.infrastructure import Infrastructure
from shared.testing.kafka import at_least, eventually, read_topic
from tests.integration.test_case_event_consumer import (
    GROUP,
    RecordEffects,
    append_replies,
    consumer,
    effects,
    relay,
    service_for,
)

pytestmark = pytest.mark.integration

CANCELS = 4


@pytest.fixture
async def effects_table(pool: asyncpg.Pool) -> asyncpg.Pool:
    await pool.execute("CREATE TABLE effects (event_id uuid NOT NULL)")
    return pool


def sample(infra: Infrastructure, name: str, **labels: str) -> float:
    return infra.registry.get_sample_value(name, labels) or 0.0


async def cancel_waiting_writes(admin: asyncpg.Connection, times: int, *, within: float = 60.0) -> int:
    """Cancel (pg_cancel_backend: SQLSTATE 57014) the statements waiting on the lock ``admin`` holds on
    ``effects``, ``times`` times in all; how many were cancelled."""
    cancelled, deadline = 0, time.monotonic() + within
    while cancelled < times and time.monotonic() < deadline:
        await admin.execute("SELECT pg_stat_clear_snapshot()")  # a transaction sees one snapshot otherwise
        cancelled += await admin.fetchval(
            "SELECT count(*) FILTER (WHERE pg_cancel_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%effects%'"
        )
        await asyncio.sleep(0.05)
    return cancelled


async def test_cancelled_statements_are_retried_and_nothing_is_marked_handled_or_dead_lettered(
    service_env: dict[str, str], effects_table: asyncpg.Pool
) -> None:
    service = service_for(service_env, relay, consumer(RecordEffects()))
    infra = service.infrastructure
    async with service.running():
        admin = await asyncpg.connect(service_env["DATABASE_URL"])
        try:
            async with admin.transaction():
                await admin.execute("LOCK TABLE effects IN ACCESS EXCLUSIVE MODE")
                await append_replies(infra.database.event_store, [f"reply {n}" for n in range(10)])
                assert await cancel_waiting_writes(admin, CANCELS) == CANCELS
                handled = await admin.fetchval("SELECT count(*) FROM consumer_recent_events")
            assert handled == 0  # nothing was marked handled while its effect could not be written
        finally:
            await admin.close()

        async def all_handled() -> bool:
            return len(await effects(effects_table)) == 10

        assert await eventually(all_handled, within=60)
        assert sample(infra, "consumer_retries_total", group=GROUP) >= CANCELS
        assert sample(infra, "dlq_messages_total", topic=infra.topics.dlq_for_group(GROUP)) == 0
        assert sample(infra, "consumer_events_total", group=GROUP, outcome="dead_lettered") == 0
    assert set((await effects(effects_table)).values()) == {1}


class EncodesTextAsUuid(RecordEffects):
    """A handler that hands asyncpg a value it cannot encode for its column (asyncpg's client-side
    DataError, whose message quotes the value) when the reply is not a UUID."""

    async def handle(self, batch: Batch) -> None:
        for event in batch.events:
            await batch.connection.execute("INSERT INTO effects (event_id) VALUES ($1)", event.data["text"])


async def test_a_value_asyncpg_cannot_encode_is_dead_lettered_without_it_and_the_partition_moves_on(
    service_env: dict[str, str], effects_table: asyncpg.Pool, kafka_bootstrap: str
) -> None:
    service = service_for(service_env, relay, consumer(EncodesTextAsUuid()))
    infra = service.infrastructure
    good = ["3f0c1d8e-6c1a-4c53-9d55-9a3c1f1e2b10", "0b8f1d2e-0000-4c53-9d55-9a3c1f1e2b11"]
    async with service.running():
        await append_replies(infra.database.event_store, [good[0], "Sok Dara +85512345678", good[1]])
        dlq = infra.topics.dlq_for_group(GROUP)
        letters = await read_topic(kafka_bootstrap, dlq, until=at_least(1), within=60)

        async def both_handled() -> bool:
            return len(await effects(effects_table)) == 2

        assert await eventually(both_handled, within=60)
    assert len(letters) == 1
    headers = dict(letters[0].headers)
    reasons = json.loads(headers["error"])
    assert [reason["message"] for reason in reasons] == ["handler failed: DataError (SQLSTATE 22000)"]
    assert b"Sok Dara" not in b"".join(headers.values())
