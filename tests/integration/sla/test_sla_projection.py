"""The deadlines are derived state: a rebuild from the event store gives the rows the consumer kept."""

from datetime import UTC, datetime, timedelta
from functools import partial

import asyncpg
import pytest

from services.sla.bootstrap import MIGRATIONS
from services.sla.domain.policy import load_policy
from services.sla.projector import DeadlineProjection
from shared.events import CaseEscalated, CaseNeedsTriage, CaseResolved, SlaBreached
from shared.events.types import UnitRef
from shared.eventstore import PostgresEventStore, migrate
from shared.messaging.consumer import Batch
from shared.messaging.projection import rebuild
from tests.integration.sla.cases import (
    DEPLOY,
    POLICE,
    acknowledged,
    assigned,
    citizen_replied,
    event,
    filed,
    info_requested,
    new_cases,
    refused,
)

pytestmark = pytest.mark.integration
T0 = datetime(2026, 1, 12, 2, 0, tzinfo=UTC)  # Monday 09:00 in Phnom Penh
PROVINCIAL = UnitRef(id="provincial-police:KH-12", kind="provincial_police", name="PP", province="KH-12")


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


STREAMS = [
    [filed(at=at(0)), assigned(at(0))],
    [filed(at=at(0)), event(CaseNeedsTriage(reason="no location"), at(0))],
    [filed(at=at(0)), assigned(at(0)), acknowledged(at(5))],
    [filed(at=at(0)), assigned(at(0)), refused(at(5))],
    [filed(at=at(0)), assigned(at(0)), info_requested(at(5))],
    [filed(at=at(0)), assigned(at(0)), info_requested(at(5)), citizen_replied(at(50))],
    [filed(at=at(0)), assigned(at(0)), event(CaseResolved(unit_id=POLICE.id), at(9))],
    [
        filed("domestic_violence", at(0)), assigned(at(0)),
        event(SlaBreached(clock="acknowledgement", due_at=at(300), unit_id=POLICE.id, level=0), at(301)),
        event(CaseEscalated(from_unit=POLICE, to_unit=PROVINCIAL, level=1, reason="unanswered"), at(301)),
    ],
]  # fmt: skip


async def test_a_rebuild_gives_the_rows_the_consumer_kept(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        await migrate(connection, [MIGRATIONS])
    store = PostgresEventStore(pool)
    projection = DeadlineProjection(load_policy(DEPLOY / "sla-policy.yaml"))
    for events in STREAMS:
        [case_id] = await new_cases(store, 1, partial(list, events))
        for envelope in await store.read_stream(case_id):  # one event at a time, as consumed
            async with pool.acquire() as connection, connection.transaction():
                await projection.handle(Batch(connection, store, [envelope]))
    kept = await rows(pool)

    assert await rebuild(pool, projection) == sum(len(events) for events in STREAMS)
    assert await rows(pool) == kept
    # The case waiting on the citizen keeps a row too: its deadline should nobody answer.
    assert [row["clock"] for row in kept] == sorted(
        ["acknowledgement", "triage", "resolution", "refusal", "acknowledgement", "acknowledgement",
         "acknowledgement"]
    )  # fmt: skip


async def rows(pool: asyncpg.Pool) -> list[dict[str, object]]:
    records = await pool.fetch(
        "SELECT case_id, due_at, clock, unit_id, level, version FROM sla_deadlines ORDER BY clock, case_id"
    )
    return [dict(record) for record in records]
