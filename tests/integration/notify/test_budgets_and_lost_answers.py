"""What notify spends is bounded, and nothing is paid twice: past a spend budget a text is not sent and the
case says `budget`; a text the provider took while its answer was lost to a timeout is not sent again."""

import json
from pathlib import Path

import asyncpg
import pytest

from shared.events import CaseAssigned, CaseInfoRequested
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
    statuses,
)

pytestmark = pytest.mark.integration

STATION_PHONE = "+85512000111"
STATION = UnitRef(id="police:1203", kind="police", name="Tuol Kouk District Police", province="KH-12")


async def _sent(pool: asyncpg.Pool, count: int) -> bool:
    found = await pool.fetchval("SELECT count(*) FROM notifications WHERE status IN ('sent', 'failed')")
    return bool(found == count)


async def test_past_a_spend_budget_a_text_is_not_sent_and_the_case_says_budget(
    service_env: dict[str, str], pool: asyncpg.Pool, tmp_path: Path
) -> None:
    units_file = tmp_path / "units.yaml"
    units_file.write_text(f'units:\n  - id: police:1203\n    phone: "{STATION_PHONE}"\n', encoding="utf-8")
    store = PostgresEventStore(pool)
    first, second, third = new_phone(), new_phone(), new_phone()
    with running_gateway(tmp_path / "devsms.log") as gateway:
        async with serving_notify(
            service_env, gateway, units_file=units_file, sms_per_number_per_day=2, sms_per_day=4
        ) as notify:
            # One at a time, so that which text meets which bound is known.
            case_id, _ = await file_case(store, await new_citizen(pool, first))
            assigned = CaseAssigned(unit=STATION, level=0, rule="crime/district", reason="theirs")
            await add_events(
                store, case_id, assigned, CaseInfoRequested(unit_id=STATION.id, question="When?")
            )
            # The receipt, the assignment, and the unit's text go; the question is the number's third.
            assert await eventually(lambda: _sent(pool, 4), within=60)
            await file_case(store, await new_citizen(pool, second))
            assert await eventually(lambda: _sent(pool, 5), within=60)  # the day's fourth text
            await file_case(store, await new_citizen(pool, third))
            assert await eventually(lambda: _sent(pool, 6), within=60)
            refusals = {
                budget: notify.metric("sms_budget_refusals_total", budget=budget)
                for budget in ("sms_per_number_per_day", "sms_per_day")
            }
        received = await gateway.messages()
        counters = await pool.fetch("SELECT budget, subject, used FROM budget_counters ORDER BY budget")

    assert sorted(m["to"] for m in received) == sorted([first, first, STATION_PHONE, second])
    failed = await outcome_events(pool, "CitizenNotificationFailed")
    assert sorted(json.loads(row["data"])["reason"] for row in failed) == [
        "budget (sms_per_day)",
        "budget (sms_per_number_per_day)",
    ]
    assert refusals == {"sms_per_number_per_day": 1, "sms_per_day": 1}
    assert await statuses(pool) == {"sent": 4, "failed": 2}
    # Counted by keyed digest: no number in the shared counters.
    assert {row["budget"] for row in counters} == {"sms_per_number_per_day", "sms_per_day"}
    assert not any(phone.lstrip("+") in row["subject"] for row in counters for phone in (first, second))
    assert max(row["used"] for row in counters if row["budget"] == "sms_per_day") == 4


async def test_a_text_taken_while_the_answer_timed_out_is_looked_up_not_sent_again(
    service_env: dict[str, str], pool: asyncpg.Pool, tmp_path: Path
) -> None:
    store = PostgresEventStore(pool)
    phone = new_phone()
    with running_gateway(tmp_path / "devsms.log") as gateway:
        # The gateway takes the message, then holds its answer past notify's timeout.
        await gateway.control(numbers={phone: "accepted_timeout"}, hang_seconds=3)
        async with serving_notify(
            service_env, gateway, sms_request_timeout_seconds=0.5, sms_send_lease_seconds=10
        ) as notify:
            await file_case(store, await new_citizen(pool, phone))
            assert await eventually(lambda: _sent(pool, 1), within=60)
            avoided = notify.metric("sms_resends_avoided_total")
            timeouts = notify.metric("sms_send_attempts_total", result="unavailable")
        received = await gateway.messages(to=phone)
        answers = (await gateway.stats())["answers"]

    assert len(received) == 1
    assert answers.get("accepted_timeout") == 1
    assert (timeouts, avoided) == (1, 1)
    row = await pool.fetchrow("SELECT status, provider_message_id, attempts FROM notifications")
    assert row is not None
    assert (row["status"], row["provider_message_id"], row["attempts"]) == ("sent", received[0]["sid"], 2)
    (notified,) = await outcome_events(pool, "CitizenNotified")
    assert json.loads(notified["data"])["provider_message_id"] == received[0]["sid"]
