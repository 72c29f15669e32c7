"""The consumer's handler on the real database: notices written once per (event, recipient) even when the
tracking table is bypassed (a replay), and an event of a case with no filing refused for good."""

import uuid
from pathlib import Path

import asyncpg
import pytest
from prometheus_client import CollectorRegistry

from services.notify.bootstrap import MIGRATIONS
from services.notify.domain.texts import load_texts
from services.notify.handler import NotifyHandler
from services.notify.metrics import NotifyMetrics
from services.notify.settings import TEMPLATES
from shared.events import CaseResolved, Envelope
from shared.eventstore import EVENT_STORE, PostgresEventStore, migrate
from shared.messaging.consumer import Batch
from shared.places.gazetteer import load_gazetteer
from shared.places.units_file import load_units
from shared.testing.events import new_event
from tests.integration.notify.support import add_events, file_case

pytestmark = pytest.mark.integration

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"


@pytest.fixture
async def handler(pool: asyncpg.Pool) -> NotifyHandler:
    async with pool.acquire() as connection:
        await migrate(connection, [EVENT_STORE, MIGRATIONS])
    units = load_units(DEPLOY / "units.yaml", load_gazetteer())
    return NotifyHandler(load_texts(TEMPLATES), units, "km", NotifyMetrics(CollectorRegistry()))


async def handle(pool: asyncpg.Pool, handler: NotifyHandler, events: list[Envelope]) -> Batch:
    async with pool.acquire() as connection, connection.transaction():
        batch = Batch(connection, PostgresEventStore(pool), events)
        await handler.handle(batch)
    return batch


async def test_handling_the_same_events_again_writes_no_second_notice(
    pool: asyncpg.Pool, handler: NotifyHandler
) -> None:
    store = PostgresEventStore(pool)
    case_id, filed = await file_case(store, uuid.uuid4(), "km")
    resolved = await add_events(store, case_id, CaseResolved(unit_id="police:1203"))
    events = [*filed.events, *resolved.events]
    await handle(pool, handler, events)
    await handle(pool, handler, events)
    await handle(pool, handler, events[1:])  # the resolution alone: its filing is read from the store
    rows = await pool.fetch("SELECT about_type, recipient, status, language FROM notifications ORDER BY id")
    assert [tuple(row) for row in rows] == [
        ("ComplaintFiled", "citizen", "pending", "km"),
        ("CaseResolved", "citizen", "waiting", "km"),  # until the receipt is sent
    ]


async def test_an_event_of_a_case_without_a_filing_is_refused(
    pool: asyncpg.Pool, handler: NotifyHandler
) -> None:
    orphan = new_event(CaseResolved(unit_id="police:1203")).envelope(uuid.uuid4(), 1)
    batch = await handle(pool, handler, [orphan])
    assert batch.rejected == [(orphan, "no ComplaintFiled in the case stream: nobody to notify")]
    assert await pool.fetchval("SELECT count(*) FROM notifications") == 0
