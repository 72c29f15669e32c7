"""Migrations that several processes may run at once."""

import asyncio
import shutil
import uuid
from pathlib import Path

import asyncpg
import pytest

from shared.events import decode_envelope
from shared.eventstore import EVENT_STORE, MigrationSet, migrate
from shared.messaging.outbox_relay import PENDING

pytestmark = pytest.mark.integration


async def test_migrations_from_several_processes_at_once_apply_once(database_url: str) -> None:
    async def start_up() -> list[str]:
        connection = await asyncpg.connect(database_url)
        try:
            return await migrate(connection, [EVENT_STORE])
        finally:
            await connection.close()

    results = await asyncio.gather(*(start_up() for _ in range(6)))
    applied = [name for result in results for name in result]
    every = [f"eventstore/{path.name}" for _, path in EVENT_STORE.files()]
    assert applied == every  # once each, in order, whichever process applied them
    connection = await asyncpg.connect(database_url)
    try:
        assert await connection.fetchval("SELECT count(*) FROM schema_migrations") == len(every)
    finally:
        await connection.close()


async def test_events_waiting_in_the_old_outbox_are_carried_over_in_order(
    database_url: str, tmp_path: Path
) -> None:
    # The store as it was before 0003, with three events waiting in its row-per-event outbox.
    for _, path in EVENT_STORE.files()[:2]:
        shutil.copy(path, tmp_path)
    connection = await asyncpg.connect(database_url)
    try:
        await migrate(connection, [MigrationSet(EVENT_STORE.component, tmp_path)])
        case_id, event_ids = uuid.uuid4(), [uuid.uuid4() for _ in range(3)]
        for version, event_id in enumerate(event_ids, 1):
            await connection.execute(
                """INSERT INTO events (event_id, case_id, version, type, schema_version, idempotency_key,
                                       occurred_at, producer, actor_kind, actor_id, data)
                   VALUES ($1, $2, $3, 'CaseNeedsTriage', 1, $4, now(), 'tests', 'system', 'tests',
                           '{"reason": "test"}')""",
                event_id, case_id, version, f"test:{version}",
            )  # fmt: skip
            await connection.execute(
                "INSERT INTO outbox (case_id, event_id, payload) VALUES ($1, $2, '')", case_id, event_id
            )
        later = [f"eventstore/{path.name}" for _, path in EVENT_STORE.files()[2:]]
        assert await migrate(connection, [EVENT_STORE]) == later
        queued = await connection.fetch("SELECT event_ids FROM outbox ORDER BY id")
        assert [row["event_ids"] for row in queued] == [[event_id] for event_id in event_ids]
        relayed = [decode_envelope(row["payload"]) for row in await connection.fetch(PENDING, 10, [])]
        assert [envelope.event_id for envelope in relayed] == event_ids
    finally:
        await connection.close()
