"""Messenger out through notify, against the dev Messenger gateway (Graph's answers) and the dev SMS
gateway: the 24-hour rule at sending time, the receipt as a response and updates as updates, and what the
Send API refuses or cannot take now."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from shared.events.types import CaseAssigned, UnitRef
from shared.eventstore import PostgresEventStore
from shared.testing.events import new_event
from shared.testing.kafka import eventually
from tests.integration.notify.support import (
    Gateway,
    MessengerGateway,
    ServedNotify,
    add_events,
    file_case,
    new_messenger_citizen,
    new_phone,
    running_gateway,
    running_messenger_gateway,
    serving_notify,
)
from tests.unit.notify.cases import filing

pytestmark = pytest.mark.integration
UNIT = UnitRef(id="police:1203", kind="police", name="Kampot District Police", province="KH-7")


@dataclass
class Setup:
    sms: Gateway
    messenger: MessengerGateway
    notify: ServedNotify
    store: PostgresEventStore


@asynccontextmanager
async def both_gateways(
    service_env: dict[str, str], pool: asyncpg.Pool, tmp_path: Path, **settings: object
) -> AsyncIterator[Setup]:
    with (
        running_gateway(tmp_path / "devsms.log") as sms,
        running_messenger_gateway(tmp_path / "devmessenger.log") as messenger,
    ):
        async with serving_notify(
            service_env, sms, facebook_graph_api_base=messenger.graph, **settings
        ) as notify:
            yield Setup(sms, messenger, notify, PostgresEventStore(pool))


async def outcomes(pool: asyncpg.Pool, count: int) -> list[dict[str, Any]] | None:
    rows = await pool.fetch(
        """SELECT type, data FROM events WHERE type IN ('CitizenNotified', 'CitizenNotificationFailed')
           ORDER BY position"""
    )
    found = [{"type": row["type"], **json.loads(row["data"])} for row in rows]
    return found if len(found) >= count else None


async def test_within_24_hours_the_receipt_is_a_response_and_the_assignment_an_update_on_messenger(
    service_env: dict[str, str], pool: asyncpg.Pool, tmp_path: Path
) -> None:
    async with both_gateways(service_env, pool, tmp_path) as setup:
        citizen_id, psid = await new_messenger_citizen(
            pool, datetime.now(UTC) - timedelta(minutes=5), new_phone()
        )
        case_id, _ = await file_case(setup.store, citizen_id)
        await add_events(setup.store, case_id, CaseAssigned(unit=UNIT, level=0, rule="test", reason="test"))
        found = await eventually(lambda: outcomes(pool, 2), within=60)
        sent = await setup.messenger.sent(psid)
        assert await setup.sms.messages() == []
    assert found is not None
    assert [(o["type"], o["channel"]) for o in found] == [("CitizenNotified", "messenger")] * 2
    assert [m["detail"] for m in sent] == ["RESPONSE", "UPDATE"]
    assert sent[0]["text"].startswith("We received your complaint")
    assert [o["provider_message_id"] for o in found] == [m["mid"] for m in sent]
    channels = await pool.fetch("SELECT channel FROM notifications ORDER BY id")
    assert [row["channel"] for row in channels] == ["messenger", "messenger"]


async def test_25_hours_after_the_last_message_an_update_goes_by_sms_or_fails_without_a_phone(
    service_env: dict[str, str], pool: asyncpg.Pool, tmp_path: Path
) -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=25)
    async with both_gateways(service_env, pool, tmp_path) as setup:
        phone = new_phone()
        with_phone, _ = await new_messenger_citizen(pool, long_ago, phone)
        only_messenger, _ = await new_messenger_citizen(pool, long_ago)
        await file_case(setup.store, with_phone)
        await file_case(setup.store, only_messenger)
        found = await eventually(lambda: outcomes(pool, 2), within=60)
        texted = await setup.sms.messages()
        assert await setup.messenger.sent() == []
        not_sent = setup.notify.metric("messenger_outside_window_total")
    assert found is not None
    by_type = {o["type"]: o for o in found}
    assert by_type["CitizenNotified"]["channel"] == "sms"
    assert [m["to"] for m in texted] == [phone]
    failed = by_type["CitizenNotificationFailed"]
    assert (failed["channel"], failed["reason"], failed["attempts"]) == (
        "messenger",
        "outside_messaging_window",
        0,
    )
    assert not_sent == 1


async def test_a_receipt_for_a_complaint_filed_on_messenger_finds_the_window_open_before_the_vault_does(
    service_env: dict[str, str], pool: asyncpg.Pool, tmp_path: Path
) -> None:
    async with both_gateways(service_env, pool, tmp_path) as setup:
        citizen_id, psid = await new_messenger_citizen(
            pool, wrote=None
        )  # the webhook has not recorded it yet
        on_messenger = filing(citizen_id).model_copy(
            update={"channel": "facebook", "submitted_at": datetime.now(UTC) - timedelta(seconds=3)}
        )
        await setup.store.append(uuid.uuid4(), 0, [new_event(on_messenger)])
        found = await eventually(lambda: outcomes(pool, 1), within=60)
        sent = await setup.messenger.sent(psid)
    assert found is not None
    assert (found[0]["type"], found[0]["channel"]) == ("CitizenNotified", "messenger")
    assert [m["detail"] for m in sent] == ["RESPONSE"]


async def test_what_the_send_api_refuses_is_final_and_what_it_cannot_take_now_is_tried_again(
    service_env: dict[str, str], pool: asyncpg.Pool, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    async with both_gateways(service_env, pool, tmp_path) as setup:
        gone, gone_psid = await new_messenger_citizen(pool, now)
        limited, limited_psid = await new_messenger_citizen(pool, now)
        closed_phone = new_phone()
        closed, closed_psid = await new_messenger_citizen(pool, now, closed_phone)
        await setup.messenger.control(
            recipients={gone_psid: "unavailable", limited_psid: "rate_limited", closed_psid: "outside_window"}
        )
        for citizen in (gone, limited, closed):
            await file_case(setup.store, citizen)
        assert await eventually(
            lambda: setup.notify.metric("messenger_sent_total", outcome="rate_limited") >= 3, within=60
        )
        await setup.messenger.control()  # the rate limit is over
        found = await eventually(lambda: outcomes(pool, 3), within=60)
        texted = await setup.sms.messages()
    assert found is not None
    failed = [o for o in found if o["type"] == "CitizenNotificationFailed"]
    assert [(o["channel"], o["reason"], o["attempts"]) for o in failed] == [
        ("messenger", "person_unavailable (Send API error 551/1545041)", 1)
    ]
    notified = sorted(o["channel"] for o in found if o["type"] == "CitizenNotified")
    assert notified == ["messenger", "sms"]  # the rate-limited one on Messenger; Meta's closed window by SMS
    assert [m["to"] for m in texted] == [closed_phone]


async def test_an_invalid_page_token_fails_the_text_at_once_and_says_so(
    service_env: dict[str, str], pool: asyncpg.Pool, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with both_gateways(
        service_env, pool, tmp_path, facebook_page_access_token="expired-token"
    ) as setup:
        citizen, psid = await new_messenger_citizen(pool, datetime.now(UTC))
        await file_case(setup.store, citizen)
        found = await eventually(lambda: outcomes(pool, 1), within=60)
    assert found is not None
    assert (found[0]["type"], found[0]["reason"], found[0]["attempts"]) == (
        "CitizenNotificationFailed", "page_token_invalid (Send API error 190)", 1,
    )  # fmt: skip
    logged = [r.getMessage() for r in caplog.records if "FACEBOOK_PAGE_ACCESS_TOKEN" in r.getMessage()]
    assert logged
    assert all(psid not in line and "expired-token" not in line for line in logged)


async def test_a_text_falling_back_to_sms_is_charged_to_the_spend_budgets(
    service_env: dict[str, str], pool: asyncpg.Pool, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    async with both_gateways(service_env, pool, tmp_path, sms_per_day=0) as setup:
        closed, closed_psid = await new_messenger_citizen(pool, now, new_phone())
        open_, _ = await new_messenger_citizen(pool, now, new_phone())
        await setup.messenger.control(recipients={closed_psid: "outside_window"})
        await file_case(setup.store, closed)
        await file_case(setup.store, open_)
        found = await eventually(lambda: outcomes(pool, 2), within=60)
        texted = await setup.sms.messages()
        refusals = setup.notify.metric("sms_budget_refusals_total", budget="sms_per_day")
    assert found is not None
    by_type = {o["type"]: o for o in found}
    assert by_type["CitizenNotified"]["channel"] == "messenger"  # Messenger costs nothing: no budget
    assert by_type["CitizenNotificationFailed"]["reason"] == "budget (sms_per_day)"
    assert texted == []
    assert refusals == 1
