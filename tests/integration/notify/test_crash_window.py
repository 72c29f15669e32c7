"""A sender that died mid-send leaves its notices claimed; whoever claims them next asks the provider first,
so a message the provider took is recorded, not sent twice, and one it never got is sent."""

import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest

from shared.testing.kafka import eventually
from tests.integration.notify.support import (
    new_citizen,
    new_phone,
    outcome_events,
    running_gateway,
    serving_notify,
)

pytestmark = pytest.mark.integration


async def test_notices_of_a_dead_sender_are_sent_once_whether_or_not_the_provider_got_them(
    service_env: dict[str, str], pool: asyncpg.Pool, tmp_path: Path
) -> None:
    taken, lost = new_phone(), new_phone()
    with running_gateway(tmp_path / "devsms.log") as gateway:
        async with serving_notify(service_env, gateway):
            pass  # its tables exist from now on
        # What a sender killed mid-send leaves behind: two claimed notices; the provider took the first.
        notices = {}
        for phone in (taken, lost):
            citizen = await new_citizen(pool, phone)  # (no filing: this notice is all the test needs)
            notices[phone] = await _claimed_notice(pool, uuid.uuid4(), citizen, f"Complaint for {phone}")
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                f"{gateway.url}/2010-04-01/Accounts/ACdev/Messages.json",
                data={"To": taken, "From": "COMPLAINTS", "Body": f"Complaint for {taken}"},
                auth=("ACdev", ""),
            )
        taken_sid = answer.json()["sid"]

        async with serving_notify(service_env, gateway, sms_send_lease_seconds=20) as notify:
            # (the lease given to the notices above was one second; this is the new sender's own)
            assert await eventually(lambda: _sent(pool, 2), within=60)
            avoided = notify.metric("sms_resends_avoided_total")
        received = await gateway.messages()

    assert sorted(m["to"] for m in received) == sorted([taken, lost])  # one each
    rows = await pool.fetch("SELECT id, provider_message_id, attempts FROM notifications ORDER BY id")
    by_id = {row["id"]: row for row in rows}
    assert by_id[notices[taken]]["provider_message_id"] == taken_sid
    assert by_id[notices[lost]]["provider_message_id"] == next(m["sid"] for m in received if m["to"] == lost)
    assert [row["attempts"] for row in rows] == [2, 2]
    assert avoided == 1
    assert len(await outcome_events(pool, "CitizenNotified")) == 2


async def _claimed_notice(pool: asyncpg.Pool, case_id: uuid.UUID, citizen: uuid.UUID, body: str) -> int:
    notice_id: int = await pool.fetchval(
        """INSERT INTO notifications (about_event_id, about_type, case_id, recipient, citizen_id, language,
                                      template, body, encoding, segments, status, attempts, updated_at,
                                      next_attempt_at)
           VALUES ($1, 'ComplaintFiled', $2, 'citizen', $3, 'en', 'filed', $4, 'GSM-7', 1, 'sending', 1,
                   now(), now() + interval '1 second')
           RETURNING id""",
        uuid.uuid4(), case_id, citizen, body,
    )  # fmt: skip
    return notice_id


async def _sent(pool: asyncpg.Pool, count: int) -> bool:
    return bool(await pool.fetchval("SELECT count(*) FROM notifications WHERE status = 'sent'") == count)
