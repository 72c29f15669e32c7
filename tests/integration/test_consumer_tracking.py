"""Consumer tracking on PostgreSQL: redeliveries and relay copies skipped, in a bounded number of rows."""

import asyncio
import shutil
import uuid
from pathlib import Path

import asyncpg
import pytest

from shared.eventstore import EVENT_STORE, MigrationSet, migrate
from shared.messaging.tracking import RECENT_OFFSETS, Delivery, track
from shared.testing.kafka import eventually

pytestmark = pytest.mark.integration

GROUP = "tracking-test"
TOPIC = "t.case-events"


def deliveries(partition: int, first: int, count: int) -> list[Delivery]:
    """``count`` records of new events in ``partition``, from offset ``first``."""
    return [Delivery(TOPIC, partition, offset, uuid.uuid4()) for offset in range(first, first + count)]


async def tracked(
    pool: asyncpg.Pool, batch: list[Delivery], *, window: int = RECENT_OFFSETS
) -> set[uuid.UUID]:
    async with pool.acquire() as connection, connection.transaction():
        return await track(connection, GROUP, batch, window=window)


async def rows(pool: asyncpg.Pool) -> int:
    positions = await pool.fetchval("SELECT count(*) FROM consumer_positions WHERE consumer = $1", GROUP)
    recent = await pool.fetchval("SELECT count(*) FROM consumer_recent_events WHERE consumer = $1", GROUP)
    return int(positions + recent)


async def test_a_batch_handed_again_is_skipped_however_far_back_it_goes(pool: asyncpg.Pool) -> None:
    first = deliveries(0, 0, 100)
    assert await tracked(pool, first, window=10) == {d.event_id for d in first}
    for later in range(100, 1000, 100):
        await tracked(pool, deliveries(0, later, 100), window=10)

    # Kafka hands the group's uncommitted batches again, from long before the window of event ids.
    assert await tracked(pool, first, window=10) == set()
    new = deliveries(0, 1000, 5)
    assert await tracked(pool, [*first, *new], window=10) == {d.event_id for d in new}


async def test_an_event_published_again_later_in_its_partition_is_skipped(pool: asyncpg.Pool) -> None:
    original = deliveries(1, 0, 50)
    await tracked(pool, original, window=100)
    copies = [Delivery(TOPIC, 1, 50 + n, d.event_id) for n, d in enumerate(original)]
    new = deliveries(1, 100, 10)
    assert await tracked(pool, [*copies, *new], window=100) == {d.event_id for d in new}


async def test_copies_published_over_and_over_are_followed_copy_by_copy(pool: asyncpg.Pool) -> None:
    """A relay failing again and again publishes the same events each time a little further on: each copy
    is within the window of the one before, though far from the original."""
    event = uuid.uuid4()
    assert await tracked(pool, [Delivery(TOPIC, 2, 0, event)], window=10) == {event}
    for copy in range(1, 10):
        offset = copy * 8
        fillers = deliveries(2, offset - 7, 7)
        assert await tracked(pool, [*fillers, Delivery(TOPIC, 2, offset, event)], window=10) == {
            d.event_id for d in fillers
        }


async def test_the_same_event_twice_in_one_batch_is_fresh_once(pool: asyncpg.Pool) -> None:
    event = uuid.uuid4()
    batch = [Delivery(TOPIC, 0, 0, event), Delivery(TOPIC, 0, 1, uuid.uuid4()), Delivery(TOPIC, 0, 2, event)]
    assert await tracked(pool, batch) == {batch[0].event_id, batch[1].event_id}
    assert await tracked(pool, [Delivery(TOPIC, 0, 3, event)]) == set()


async def test_a_group_keeps_a_window_of_event_ids_per_partition_and_one_position(pool: asyncpg.Pool) -> None:
    window, partitions = 300, 3
    for first in range(0, 3000, 500):
        batch = [d for p in range(partitions) for d in deliveries(p, first, 500)]
        await tracked(pool, batch, window=window)
    assert await rows(pool) == partitions * (window + 1)
    kept = await pool.fetch(
        """SELECT partition, min(record_offset) AS low, max(record_offset) AS high
           FROM consumer_recent_events WHERE consumer = $1 GROUP BY partition""",
        GROUP,
    )
    assert {(row["low"], row["high"]) for row in kept} == {(3000 - window, 2999)}


async def test_groups_and_topics_track_apart(pool: asyncpg.Pool) -> None:
    batch = deliveries(0, 0, 10)
    await tracked(pool, batch)
    other_topic = [Delivery("u.case-events", 0, 0, uuid.uuid4())]
    assert await tracked(pool, other_topic) == {other_topic[0].event_id}
    async with pool.acquire() as connection, connection.transaction():
        assert await track(connection, "another-group", batch) == {d.event_id for d in batch}


@pytest.mark.parametrize("first_one", ["commits", "rolls back"])
async def test_a_consumer_handed_records_another_is_handling_waits_for_its_outcome(
    pool: asyncpg.Pool, first_one: str
) -> None:
    """During a rebalance the partition's old owner may still hold a batch its new owner is handed."""
    batch = [d for p in range(4) for d in deliveries(p, 0, 200)]
    everything = {d.event_id for d in batch}
    async with pool.acquire() as first, pool.acquire() as second:
        transaction = first.transaction()
        await transaction.start()
        assert await track(first, GROUP, batch) == everything

        async def the_other_owner() -> set[uuid.UUID]:
            async with second.transaction():
                return await track(second, GROUP, batch[::-1])

        other = asyncio.create_task(the_other_owner())
        assert await eventually(lambda: waits_on_a_lock(pool, second.get_server_pid()))
        await (transaction.commit() if first_one == "commits" else transaction.rollback())
        assert await asyncio.wait_for(other, 30) == (set() if first_one == "commits" else everything)


async def waits_on_a_lock(pool: asyncpg.Pool, pid: int) -> bool:
    return bool(
        await pool.fetchval("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1", pid)
    )


async def test_a_database_with_the_old_tracking_table_migrates(database_url: str, tmp_path: Path) -> None:
    before = tmp_path / "sql"
    before.mkdir()
    for version, path in EVENT_STORE.files():
        if version < 4:
            shutil.copy(path, before / path.name)
    connection = await asyncpg.connect(database_url)
    try:
        await migrate(connection, [MigrationSet(EVENT_STORE.component, before)])
        await connection.execute(
            "INSERT INTO consumer_tracking (consumer, event_id) SELECT 'routing', gen_random_uuid() "
            "FROM generate_series(1, 100)"
        )
        assert "eventstore/0004_consumer_positions.sql" in await migrate(connection, [EVENT_STORE])
        assert await connection.fetchval("SELECT to_regclass('consumer_tracking')") is None
        batch = deliveries(0, 0, 3)
        async with connection.transaction():
            assert await track(connection, "routing", batch) == {d.event_id for d in batch}
    finally:
        await connection.close()
