"""The outbox gauges against the real PostgreSQL: events waiting, and the age of the oldest one."""

import time
import uuid
from dataclasses import dataclass

import asyncpg
import pytest
from prometheus_client import CollectorRegistry

from shared.eventstore import Append, PostgresEventStore
from shared.messaging.outbox_backlog import OutboxBacklog
from shared.testing.events import new_event

pytestmark = pytest.mark.integration


@dataclass
class Opened:
    pool: asyncpg.Pool


async def test_the_backlog_counts_every_waiting_event_and_ages_from_the_oldest(
    pool: asyncpg.Pool, event_store: PostgresEventStore
) -> None:
    registry = CollectorRegistry()
    backlog = OutboxBacklog(Opened(pool), registry)

    def gauges() -> tuple[float | None, float | None]:
        return (
            registry.get_sample_value("outbox_pending_events"),
            registry.get_sample_value("outbox_oldest_event_age_seconds"),
        )

    await backlog.refresh()
    assert gauges() == (0, 0)

    started = time.monotonic()
    await event_store.append_many([Append(uuid.uuid4(), 0, [new_event(), new_event()]) for _ in range(3)])
    # The first append was stored an hour and a half ago: its first event is the oldest waiting.
    await pool.execute(
        """UPDATE events SET recorded_at = recorded_at - interval '90 minutes'
           WHERE event_id = (SELECT event_ids[1] FROM outbox ORDER BY id LIMIT 1)"""
    )
    await backlog.refresh()
    since_append = time.monotonic() - started
    pending, age = gauges()
    assert pending == 6
    assert age is not None
    assert 90 * 60 <= age <= 90 * 60 + since_append

    await pool.execute("DELETE FROM outbox")  # published
    await backlog.refresh()
    assert gauges() == (0, 0)
