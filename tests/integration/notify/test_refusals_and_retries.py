"""What the provider refuses is final at once and shows in the case stream; what it cannot take now is
tried again, within bounds; an opted-out number is remembered and not texted again."""

import hashlib
import json
from pathlib import Path

import asyncpg
import pytest

from shared.eventstore import PostgresEventStore
from shared.privacy import KeyedDigest, OptOuts
from shared.service.settings import DEV_PERSONAL_DATA_KEY
from shared.testing.kafka import eventually
from tests.integration.notify.support import (
    file_case,
    new_citizen,
    new_phone,
    outcome_events,
    running_gateway,
    serving_notify,
    statuses,
)

pytestmark = pytest.mark.integration


async def test_refused_numbers_fail_at_once_and_an_opted_out_number_is_not_texted_again(
    service_env: dict[str, str], pool: asyncpg.Pool, tmp_path: Path
) -> None:
    store = PostgresEventStore(pool)
    invalid, opted_out, down = new_phone(), new_phone(), new_phone()
    with running_gateway(tmp_path / "devsms.log") as gateway:
        await gateway.control(
            invalid_numbers=[invalid], opted_out_numbers=[opted_out], failing_numbers=[down]
        )
        async with serving_notify(service_env, gateway, sms_max_attempts=3) as notify:
            for phone in (invalid, opted_out, down):
                await file_case(store, await new_citizen(pool, phone))
            assert await eventually(lambda: _failed_events(pool, 3), within=60)
            # The opted-out number is now known: a second case of the same citizen is skipped, unsent.
            await file_case(store, await new_citizen(pool, opted_out))
            assert await eventually(lambda: _status_count(pool, "skipped", 1), within=30)
            answers = (await gateway.stats())["answers"]
            opt_outs = notify.metric("sms_opt_outs_total")

    events = await outcome_events(pool, "CitizenNotificationFailed")
    failed = {json.loads(row["data"])["reason"]: json.loads(row["data"]) for row in events}
    assert set(failed) == {
        "invalid_number (provider error 21211)",
        "opted_out (provider error 21610)",
        "unavailable (HTTP 503, 3 attempts)",
    }
    assert failed["invalid_number (provider error 21211)"]["attempts"] == 1  # no retry for a refusal
    assert failed["opted_out (provider error 21610)"]["attempts"] == 1
    assert failed["unavailable (HTTP 503, 3 attempts)"]["attempts"] == 3
    assert answers == {"refused:21211": 1, "refused:21610": 1, "5xx": 3}  # the fourth case never went out
    skipped = await pool.fetch("SELECT reason, attempts FROM notifications WHERE status = 'skipped'")
    assert [dict(row) for row in skipped] == [{"reason": "opted_out", "attempts": 1}]
    stored = await pool.fetch("SELECT address_digest, source FROM opt_outs")
    assert [(row["address_digest"], row["source"]) for row in stored] == [
        (OptOuts(KeyedDigest.of(DEV_PERSONAL_DATA_KEY)).key(opted_out), "provider:21610")
    ]
    # Keyed: not the plain SHA-256 anyone could compute from a list of numbers.
    assert stored[0]["address_digest"] != hashlib.sha256(opted_out.encode()).hexdigest()
    assert opt_outs == 1
    assert await outcome_events(pool, "CitizenNotified") == []


async def test_a_provider_that_times_out_is_tried_again_until_it_answers(
    service_env: dict[str, str], pool: asyncpg.Pool, tmp_path: Path
) -> None:
    store = PostgresEventStore(pool)
    phone = new_phone()
    with running_gateway(tmp_path / "devsms.log") as gateway:
        await gateway.control(numbers={phone: "timeout"}, hang_seconds=5)
        async with serving_notify(
            service_env, gateway, sms_request_timeout_seconds=0.3, sms_send_lease_seconds=5
        ) as notify:
            await file_case(store, await new_citizen(pool, phone))
            assert await eventually(
                lambda: notify.metric("sms_send_attempts_total", result="unavailable") >= 3, within=30
            )
            await gateway.control()  # the provider recovers
            assert await eventually(lambda: _status_count(pool, "sent", 1), within=30)
            retries = notify.metric("sms_send_retries_total")
    attempts = await pool.fetchval("SELECT attempts FROM notifications")
    assert attempts >= 4
    assert retries == attempts - 1
    assert len(await outcome_events(pool, "CitizenNotified")) == 1
    assert await statuses(pool) == {"sent": 1}


async def _failed_events(pool: asyncpg.Pool, count: int) -> list[asyncpg.Record] | None:
    rows = await outcome_events(pool, "CitizenNotificationFailed")
    return rows if len(rows) >= count else None


async def _status_count(pool: asyncpg.Pool, status: str, count: int) -> bool:
    found = await pool.fetchval("SELECT count(*) FROM notifications WHERE status = $1", status)
    return bool(found >= count)
