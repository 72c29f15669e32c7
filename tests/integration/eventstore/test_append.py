"""PostgreSQL's side of appends: outbox rows in the same transaction, the caller's transaction, several
connections at once (the store's semantics are tests/contract/eventstore, run by test_store_contract.py)."""

import asyncio
import json
import uuid

import asyncpg
import pytest

from shared.events import CitizenReplied, decode_envelope
from shared.eventstore import Append, Appended, PostgresEventStore, VersionConflictError
from shared.messaging.outbox_relay import PENDING, PENDING_FOR_CASE, RELAY_SESSION
from shared.testing.events import new_event
from tests.contract.eventstore.contract import KHMER

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("before", "events"),
    [(0, 1), (0, 3), (1, 3)],
    ids=["one event (single-row statement)", "a new stream (COPY)", "an extended stream (unnest statement)"],
)
async def test_each_append_queues_one_outbox_row_naming_its_events_in_order(
    event_store: PostgresEventStore, pool: asyncpg.Pool, before: int, events: int
) -> None:
    case_id = uuid.uuid4()
    if before:
        await event_store.append(case_id, 0, [new_event()])
    await pool.execute("TRUNCATE outbox")
    appended = await event_store.append(case_id, before, [new_event() for _ in range(events)])
    rows = await pool.fetch("SELECT event_ids FROM outbox")
    assert [row["event_ids"] for row in rows] == [[e.event_id for e in appended.events]]


async def test_a_batch_of_streams_is_queued_as_one_row_each_stream_in_order(
    event_store: PostgresEventStore, pool: asyncpg.Pool
) -> None:
    appends = [Append(uuid.uuid4(), 0, [new_event(), new_event()]) for _ in range(5)]
    results = await event_store.append_many(appends)
    (queued,) = await pool.fetch("SELECT event_ids FROM outbox")
    stored = [e for result in results if isinstance(result, Appended) for e in result.events]
    assert queued["event_ids"] == [e.event_id for e in stored]
    assert [e.version for e in stored] == [1, 2] * 5


@pytest.mark.parametrize("events", [1, 3], ids=["one event", "several events"])
async def test_the_relay_reads_each_queued_event_as_its_envelope(
    event_store: PostgresEventStore, database_url: str, events: int
) -> None:
    case_id = uuid.uuid4()
    khmer_events = [new_event(CitizenReplied(text=KHMER)) for _ in range(events)]
    appended = await event_store.append(case_id, 0, khmer_events)
    relay = await asyncpg.connect(database_url, server_settings=RELAY_SESSION)
    try:
        rows = await relay.fetch(PENDING, 100, [])
    finally:
        await relay.close()
    assert [decode_envelope(row["payload"]) for row in rows] == list(appended.events)
    assert [(row["key"], row["type"]) for row in rows] == [(str(case_id), "CitizenReplied")] * events
    assert KHMER in rows[0]["payload"]  # UTF-8 as it is, not escaped
    assert json.loads(rows[0]["payload"])["occurred_at"].endswith("+00:00")  # ISO 8601, in UTC


@pytest.mark.parametrize(
    ("expected", "events"),
    [(1, [None]), (4, [None, None]), (2, ["web:msg-1"]), (2, [None, "web:msg-1"]), (None, ["web:msg-1"])],
    ids=[
        "stale (single-row statement)", "ahead (unnest statement)", "a stored key", "a stored key among new",
        "a stored key on top",
    ],
)  # fmt: skip
async def test_a_refused_append_stores_and_queues_nothing(
    event_store: PostgresEventStore, pool: asyncpg.Pool, expected: int | None, events: list[str | None]
) -> None:
    case_id = uuid.uuid4()
    await event_store.append(case_id, 0, [new_event(key="web:msg-1"), new_event()])
    (result,) = await event_store.append_many([Append(case_id, expected, [new_event(key=k) for k in events])])
    assert isinstance(result, VersionConflictError) or result.duplicate
    assert await pool.fetchval("SELECT count(*) FROM events WHERE case_id = $1", case_id) == 2
    assert await pool.fetchval(PENDING_FOR_CASE, case_id) == 2


@pytest.mark.parametrize("events", [1, 2], ids=["one event", "several events"])
async def test_a_refused_append_leaves_the_callers_transaction_usable(
    event_store: PostgresEventStore, pool: asyncpg.Pool, events: int
) -> None:
    case_id, other = uuid.uuid4(), uuid.uuid4()
    await event_store.append(case_id, 0, [new_event()])
    async with pool.acquire() as connection, connection.transaction():
        with pytest.raises(VersionConflictError):
            await event_store.append(case_id, 0, [new_event() for _ in range(events)], connection=connection)
        await event_store.append(other, 0, [new_event()], connection=connection)
    assert len(await event_store.read_stream(other)) == 1
    assert len(await event_store.read_stream(case_id)) == 1


@pytest.mark.parametrize("before", [0, 1], ids=["new streams (COPY)", "an extended stream (statement)"])
async def test_a_writer_that_commits_first_costs_the_append_only_its_own_stream(
    event_store: PostgresEventStore, pool: asyncpg.Pool, before: int
) -> None:
    raced, other = uuid.uuid4(), uuid.uuid4()
    if before:
        await event_store.append(raced, 0, [new_event()])
    async with pool.acquire() as rival, rival.transaction():
        await event_store.append(raced, before, [new_event()], connection=rival)  # not committed yet
        many = asyncio.create_task(
            event_store.append_many([Append(raced, before, [new_event()]), Append(other, 0, [new_event()])])
        )
        # The append saw the stream at its expected version, then waits on the rival's row.
        assert await _blocked_on_a_lock(pool)
    results = await many
    assert isinstance(results[0], VersionConflictError)
    assert results[0].current_version == before + 1
    assert isinstance(results[1], Appended)
    assert len(await event_store.read_stream(other)) == 1


async def test_an_append_on_top_that_a_writer_commits_under_conflicts(
    event_store: PostgresEventStore, pool: asyncpg.Pool
) -> None:
    case_id = uuid.uuid4()
    await event_store.append(case_id, 0, [new_event()])
    async with pool.acquire() as rival, rival.transaction():
        await event_store.append(case_id, 1, [new_event()], connection=rival)  # not committed yet
        on_top = asyncio.create_task(event_store.append_many([Append(case_id, None, [new_event()])]))
        # The append took the stream to be at version 1, then waits on the rival's row.
        assert await _blocked_on_a_lock(pool)
    (result,) = await on_top
    assert isinstance(result, VersionConflictError)
    assert (result.expected_version, result.current_version) == (1, 2)
    assert [e.version for e in await event_store.read_stream(case_id)] == [1, 2]


async def test_an_append_inside_a_failed_transaction_leaves_nothing(
    event_store: PostgresEventStore, pool: asyncpg.Pool
) -> None:
    case_id = uuid.uuid4()

    async def file_then_fail() -> None:
        async with pool.acquire() as connection, connection.transaction():
            await event_store.append(case_id, 0, [new_event()], connection=connection)
            raise RuntimeError("the caller's own work failed")

    with pytest.raises(RuntimeError):
        await file_then_fail()
    assert await event_store.read_stream(case_id) == []
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0


async def test_concurrent_writers_on_one_case_never_share_or_skip_a_version(
    event_store: PostgresEventStore,
) -> None:
    case_id = uuid.uuid4()
    writers, per_writer = 50, 20
    conflicts = 0

    async def writer(number: int) -> None:
        nonlocal conflicts
        version = 0
        for sequence in range(per_writer):
            while True:
                try:
                    appended = await event_store.append(
                        case_id, version, [new_event(key=f"w{number}:{sequence}")]
                    )
                    version = appended.events[-1].version
                    break
                except VersionConflictError as conflict:
                    conflicts += 1
                    version = conflict.current_version  # the error says where the stream is: no reload

    await asyncio.gather(*(writer(n) for n in range(writers)))
    stream = await event_store.read_stream(case_id)
    assert [e.version for e in stream] == list(range(1, writers * per_writer + 1))
    assert len({e.event_id for e in stream}) == writers * per_writer
    assert conflicts > 0  # the writers really raced


async def _blocked_on_a_lock(pool: asyncpg.Pool, attempts: int = 200) -> bool:
    query = """SELECT count(*) FROM pg_stat_activity
               WHERE datname = current_database() AND wait_event_type = 'Lock'"""
    for _ in range(attempts):
        if await pool.fetchval(query):
            return True
        await asyncio.sleep(0.05)
    return False
