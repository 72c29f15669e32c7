"""Notify as a process: a case's events delivered three times over Kafka still give one SMS each."""

from pathlib import Path

import asyncpg
import pytest

from services.notify.domain.notices import NOTIFIED_TYPES
from shared.events import (
    CaseAssigned,
    CaseEscalated,
    CaseInfoRequested,
    CaseResolved,
    VerdictRecorded,
    encode_envelope,
)
from shared.events.types import UnitRef
from shared.eventstore import PostgresEventStore
from shared.testing.kafka import eventually, produce
from shared.testing.servers import ServiceProcess
from tests.integration.notify.support import (
    FAST_RETRIES,
    add_events,
    file_case,
    new_citizen,
    new_phone,
    outcome_events,
    running_gateway,
    scrape,
)

pytestmark = pytest.mark.e2e

STATION = UnitRef(id="police:1203", kind="police", name="Tuol Kouk District Police", province="KH-12")
PROVINCE = UnitRef(
    id="provincial-police:KH-12", kind="provincial_police", name="Phnom Penh Police", province="KH-12"
)


async def test_an_event_delivered_three_times_gives_one_sms(
    service_env: dict[str, str], pool: asyncpg.Pool, tmp_path: Path
) -> None:
    store = PostgresEventStore(pool)
    phone = new_phone()
    with running_gateway(tmp_path / "devsms.log") as gateway:
        notify = ServiceProcess(
            "notify", {**service_env, **FAST_RETRIES, "SMS_API_BASE": gateway.url}, tmp_path / "notify.log"
        )
        notify.start()
        try:
            citizen = await new_citizen(pool, phone, "en")
            case_id, _ = await file_case(store, citizen, "en")
            await add_events(
                store, case_id,
                CaseAssigned(unit=STATION, level=0, rule="crime/district", reason="the district's police"),
                CaseInfoRequested(unit_id=STATION.id, question="Which street was it?"),
                CaseEscalated(from_unit=STATION, to_unit=PROVINCE, level=1, reason="refused"),
                CaseResolved(unit_id=PROVINCE.id, note="done"),
                VerdictRecorded(verdict="substantiated", note="confirmed"),
            )  # fmt: skip
            assert await eventually(lambda: _count(pool, "CitizenNotified", 6), within=90)

            # Deliver the six citizen-facing events twice more, exactly as the relay published them.
            originals = [e for e in await store.read_stream(case_id) if e.type in NOTIFIED_TYPES]
            records: list[tuple[bytes | None, bytes]] = [
                (str(case_id).encode(), encode_envelope(e)) for e in originals
            ]
            await produce(
                service_env["KAFKA_BOOTSTRAP_SERVERS"],
                f"{service_env['TOPIC_PREFIX']}case-events",
                records * 2,
            )
            assert await eventually(lambda: _duplicates_seen(notify.url, 12), within=60)
            received = await gateway.messages(to=phone)
            notified = await outcome_events(pool, "CitizenNotified")
            rows = await pool.fetchval("SELECT count(*) FROM notifications")
        finally:
            notify.stop()

    assert len(originals) == 6
    assert len(received) == 6
    assert len({m["body"] for m in received}) == 6
    assert len(notified) == 6
    assert sorted(row["causation_id"] for row in notified) == sorted(e.event_id for e in originals)
    assert rows == 6


async def _duplicates_seen(url: str, count: int) -> bool:
    return await scrape(url, "consumer_events_total", group="notify", outcome="duplicate") >= count


async def _count(pool: asyncpg.Pool, event_type: str, count: int) -> bool:
    return len(await outcome_events(pool, event_type)) >= count
