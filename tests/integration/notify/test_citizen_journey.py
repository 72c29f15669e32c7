"""A case's citizen-facing events each give one SMS, in order and in the citizen's language, through the
real dev gateway; each outcome shows in the case stream; delivery receipts come back and are kept."""

import json
from pathlib import Path

import asyncpg
import pytest

from shared.events import CaseAssigned, CaseEscalated, CaseInfoRequested, CaseResolved, VerdictRecorded
from shared.events.types import UnitRef
from shared.eventstore import PostgresEventStore
from shared.testing.kafka import eventually
from tests.integration.notify.support import (
    add_events,
    file_case,
    new_citizen,
    new_phone,
    outcome_events,
    running_gateway,
    serving_notify,
)

pytestmark = pytest.mark.integration

STATION_PHONE = "+85512000111"
STATION = UnitRef(id="police:1203", kind="police", name="Tuol Kouk District Police", province="KH-12")
PROVINCE = UnitRef(
    id="provincial-police:KH-12", kind="provincial_police", name="Phnom Penh Police", province="KH-12"
)


@pytest.fixture
def units_file(tmp_path: Path) -> Path:
    path = tmp_path / "units.yaml"
    path.write_text(f'units:\n  - id: police:1203\n    phone: "{STATION_PHONE}"\n', encoding="utf-8")
    return path


async def test_each_step_of_a_case_reaches_the_citizen_once_in_khmer_and_in_order(
    service_env: dict[str, str], pool: asyncpg.Pool, tmp_path: Path, units_file: Path
) -> None:
    store = PostgresEventStore(pool)
    phone = new_phone()
    with running_gateway(tmp_path / "devsms.log") as gateway:
        async with serving_notify(service_env, gateway, units_file=units_file) as notify:
            citizen = await new_citizen(pool, phone, "km")
            case_id, filed = await file_case(store, citizen, "km")
            later = await add_events(
                store, case_id,
                CaseAssigned(unit=STATION, level=0, rule="crime/district", reason="the district's police"),
                CaseInfoRequested(unit_id=STATION.id, question="តើហេតុការណ៍កើតឡើងនៅម៉ោងប៉ុន្មាន?"),
                CaseEscalated(from_unit=STATION, to_unit=PROVINCE, level=1, reason="unanswered"),
                CaseResolved(unit_id=PROVINCE.id, note="returned to its owner"),
                VerdictRecorded(verdict="substantiated", note="confirmed"),
            )  # fmt: skip
            about = [filed.events[0].event_id, *(event.event_id for event in later.events)]

            notified = await eventually(lambda: _at_least(pool, "CitizenNotified", 6), within=60)
            to_citizen = await gateway.messages(to=phone)
            to_station = await gateway.messages(to=STATION_PHONE)
            sids = {m["sid"] for m in to_citizen + to_station}
            assert await eventually(lambda: _delivered(pool, sids), within=30)
            sent_km = notify.metric("sms_sent_total", outcome="sent", language="km")
            ucs2_segments = notify.metric("sms_segments_total", encoding="UCS-2")

    reference = filed.events[0].data["reference"]
    assert len(to_citizen) == 6
    assert [_kind(m["body"]) for m in to_citizen] == [
        "ទទួល", "បញ្ជូនទៅ", "សំណួរ", "លើកឡើង", "ដោះស្រាយរួចរាល់", "ក្រុមការងារ",
    ]  # fmt: skip
    assert all(reference in m["body"] and m["encoding"] == "UCS-2" for m in to_citizen)
    assert "អធិការដ្ឋាននគរបាល" in to_citizen[1]["body"]  # the unit's Khmer name, from the registry
    assert len(to_station) == 1  # the station has a phone in the units file; the province has none
    assert reference in to_station[0]["body"]
    assert sorted(row["causation_id"] for row in notified) == sorted(about)
    assert {row["case_id"] for row in notified} == {case_id}
    assert {_message_id(row) for row in notified} == {m["sid"] for m in to_citizen}
    assert sent_km == 7
    assert ucs2_segments == sum(m["num_segments"] for m in to_citizen + to_station)
    assert await outcome_events(pool, "CitizenNotificationFailed") == []


async def test_nobody_is_texted_when_anonymous_or_without_a_phone_and_the_skips_are_recorded(
    service_env: dict[str, str], pool: asyncpg.Pool, tmp_path: Path
) -> None:
    store = PostgresEventStore(pool)
    with running_gateway(tmp_path / "devsms.log") as gateway:
        async with serving_notify(service_env, gateway) as notify:
            await file_case(store, None)  # anonymous
            await file_case(store, await new_citizen(pool, None))  # in the vault, without a phone
            texted = new_phone()
            await file_case(store, await new_citizen(pool, texted))
            assert await eventually(lambda: _statuses_are(pool, {"skipped": 2, "sent": 1}), within=60)
            skipped = [notify.metric("sms_skipped_total", reason=why) for why in ("anonymous", "no_phone")]
            received = await gateway.messages()
    rows = await pool.fetch("SELECT reason FROM notifications WHERE status = 'skipped' ORDER BY reason")
    assert [row["reason"] for row in rows] == ["anonymous", "no_phone"]
    assert [m["to"] for m in received] == [texted]
    assert skipped == [1.0, 1.0]
    assert len(await outcome_events(pool, "CitizenNotified")) == 1


async def _at_least(pool: asyncpg.Pool, event_type: str, count: int) -> list[asyncpg.Record] | None:
    found = await outcome_events(pool, event_type)
    return found if len(found) >= count else None


async def _delivered(pool: asyncpg.Pool, sids: set[str]) -> bool:
    rows = await pool.fetch(
        "SELECT provider_message_id, status FROM sms_receipts WHERE provider_message_id = ANY($1::text[])",
        list(sids),
    )
    return len(rows) == len(sids) and all(row["status"] == "delivered" for row in rows)


async def _statuses_are(pool: asyncpg.Pool, expected: dict[str, int]) -> bool:
    rows = await pool.fetch("SELECT status, count(*) AS n FROM notifications GROUP BY status")
    return {row["status"]: row["n"] for row in rows} == expected


def _message_id(row: asyncpg.Record) -> str:
    return str(json.loads(row["data"])["provider_message_id"])


def _kind(body: str) -> str:
    for marker in ("ទទួល", "បញ្ជូនទៅ", "សំណួរ", "លើកឡើង", "ដោះស្រាយរួចរាល់", "ក្រុមការងារ"):
        if marker in body:
            return marker
    return body
