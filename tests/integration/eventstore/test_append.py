"""Appends: versions, optimistic concurrency, idempotency keys, outbox rows in the same transaction."""

import asyncio
import json
import uuid
from dataclasses import replace

import asyncpg
import pytest

from shared.events import Actor, CaseNeedsTriage, CitizenReplied, decode_envelope
from shared.eventstore import Append, Appended, PostgresEventStore, VersionConflictError
from shared.messaging.outbox_relay import PENDING, PENDING_FOR_CASE, RELAY_SESSION
from shared.testing.events import new_event

pytestmark = pytest.mark.integration

KHMER = "ប៉ូលិសនៅស្រុកមិនព្រមទទួលពាក្យបណ្តឹងរបស់ខ្ញុំទេ 🙏"


async def test_a_new_stream_gets_versions_from_one_and_reads_back_in_order(
    event_store: PostgresEventStore,
) -> None:
    case_id = uuid.uuid4()
    first, second = new_event(CitizenReplied(text=KHMER)), new_event()
    appended = await event_store.append(case_id, 0, [first, second])
    assert [e.version for e in appended.events] == [1, 2]
    assert not appended.duplicate
    stream = await event_store.read_stream(case_id)
    assert [(e.event_id, e.version) for e in stream] == [(first.event_id, 1), (second.event_id, 2)]
    assert stream[0].data["text"] == KHMER
    assert stream[0].type == "CitizenReplied"
    assert stream[0].case_id == case_id


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


@pytest.mark.parametrize("events", [1, 3], ids=["one event", "several events"])
async def test_data_that_looks_like_the_envelopes_own_keys_is_stored_as_it_is(
    event_store: PostgresEventStore, events: int
) -> None:
    tricky = 'x","data":{"forged":1},"y":"\\,"data":'
    case_id = uuid.uuid4()
    written = [
        replace(new_event(CitizenReplied(text=tricky)), actor=Actor(kind="citizen", id=tricky))
        for _ in range(events)
    ]
    await event_store.append(case_id, 0, written)
    stored = await event_store.read_stream(case_id)
    assert [(e.data["text"], e.actor.id) for e in stored] == [(tricky, tricky)] * events


async def test_a_stale_expected_version_conflicts_and_writes_nothing(
    event_store: PostgresEventStore, pool: asyncpg.Pool
) -> None:
    case_id = uuid.uuid4()
    await event_store.append(case_id, 0, [new_event(), new_event()])
    with pytest.raises(VersionConflictError) as raised:
        await event_store.append(case_id, 1, [new_event()])
    assert raised.value.current_version == 2
    assert raised.value.expected_version == 1
    with pytest.raises(VersionConflictError):
        await event_store.append(case_id, 5, [new_event()])  # ahead of the stream: no gap either
    assert len(await event_store.read_stream(case_id)) == 2
    assert await pool.fetchval(PENDING_FOR_CASE, case_id) == 2


async def test_the_same_idempotency_key_is_stored_once(
    event_store: PostgresEventStore, pool: asyncpg.Pool
) -> None:
    case_id = uuid.uuid4()
    original = new_event(key="web:msg-1")
    stored = await event_store.append(case_id, 0, [original])
    retry = new_event(key="web:msg-1")  # a retry carries a new event id but the same key
    again = await event_store.append(case_id, 0, [retry])
    later = await event_store.append(case_id, 1, [new_event(key="web:msg-1")])  # even on the right version
    assert again.duplicate
    assert later.duplicate
    assert again.events == stored.events == later.events
    assert await pool.fetchval("SELECT count(*) FROM events WHERE case_id = $1", case_id) == 1
    assert await pool.fetchval(PENDING_FOR_CASE, case_id) == 1


async def test_many_streams_in_one_append_get_their_own_answers(event_store: PostgresEventStore) -> None:
    moved, fresh, repeated = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await event_store.append(moved, 0, [new_event()])
    await event_store.append(repeated, 0, [new_event(key="k")])
    results = await event_store.append_many(
        [
            Append(moved, 0, [new_event()]),
            Append(fresh, 0, [new_event(), new_event()]),
            Append(repeated, 1, [new_event(key="k")]),
        ]
    )
    assert isinstance(results[0], VersionConflictError)
    assert results[0].current_version == 1
    assert isinstance(results[1], Appended)
    assert [e.version for e in results[1].events] == [1, 2]
    assert isinstance(results[2], Appended)
    assert results[2].duplicate
    assert len(await event_store.read_stream(moved)) == 1


async def test_a_writer_ahead_of_its_stream_conflicts_with_several_events_too(
    event_store: PostgresEventStore, pool: asyncpg.Pool
) -> None:
    behind, fresh = uuid.uuid4(), uuid.uuid4()
    await event_store.append(behind, 0, [new_event(), new_event()])
    with pytest.raises(VersionConflictError) as raised:
        await event_store.append(behind, 4, [new_event(), new_event()])  # versions 5 and 6 would leave a gap
    assert raised.value.current_version == 2
    results = await event_store.append_many(
        [Append(behind, 3, [new_event(), new_event()]), Append(fresh, 0, [new_event()])]
    )
    assert isinstance(results[0], VersionConflictError)
    assert isinstance(results[1], Appended)
    assert [e.version for e in await event_store.read_stream(behind)] == [1, 2]
    assert await pool.fetchval(PENDING_FOR_CASE, behind) == 2


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


async def test_read_all_pages_through_every_event_in_position_order(event_store: PostgresEventStore) -> None:
    cases = [uuid.uuid4() for _ in range(5)]
    for case_id in cases:
        await event_store.append(case_id, 0, [new_event(), new_event(CaseNeedsTriage(reason="x"))])
    seen, after = [], 0
    while page := await event_store.read_all(after, limit=3):
        seen.extend(page)
        after = page[-1].position
    assert len(seen) == 10
    assert [s.position for s in seen] == sorted(s.position for s in seen)
    assert {s.envelope.case_id for s in seen} == set(cases)


async def _blocked_on_a_lock(pool: asyncpg.Pool, attempts: int = 200) -> bool:
    query = """SELECT count(*) FROM pg_stat_activity
               WHERE datname = current_database() AND wait_event_type = 'Lock'"""
    for _ in range(attempts):
        if await pool.fetchval(query):
            return True
        await asyncio.sleep(0.05)
    return False
