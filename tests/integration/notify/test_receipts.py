"""Delivery receipts: signed by the gateway with the auth token and kept; forged ones refused with 403."""

from pathlib import Path

import asyncpg
import httpx
import pytest

from shared.eventstore import PostgresEventStore
from shared.sms.signature import twilio_signature
from shared.testing.kafka import eventually
from tests.integration.notify.support import (
    file_case,
    new_citizen,
    new_phone,
    running_gateway,
    serving_notify,
)

pytestmark = pytest.mark.integration

TOKEN = "receipts-test-token"


async def test_signed_receipts_are_kept_and_forged_ones_are_refused(
    service_env: dict[str, str], pool: asyncpg.Pool, tmp_path: Path
) -> None:
    store = PostgresEventStore(pool)
    phones = [new_phone() for _ in range(3)]
    with running_gateway(tmp_path / "devsms.log", auth_token=TOKEN) as gateway:
        await gateway.control(undeliverable_numbers=[phones[2]])
        async with serving_notify(service_env, gateway, sms_auth_token=TOKEN) as notify:
            for phone in phones:
                await file_case(store, await new_citizen(pool, phone))
            assert await eventually(lambda: _receipts(pool, 3, final=True), within=60)
            receipts = await gateway.stats()
            hook = f"{notify.url}/webhooks/sms-status"
            form = {"MessageSid": "SMforged", "MessageStatus": "delivered"}
            async with httpx.AsyncClient() as client:
                unsigned = await client.post(hook, data=form)
                forged = await client.post(
                    hook,
                    data=form,
                    headers={"X-Twilio-Signature": twilio_signature("guess", hook, form.items())},
                )
                # A correctly signed receipt for another message goes in; a late "sent" does not undo it.
                for status in ("delivered", "sent"):
                    signed = {"MessageSid": "SMother", "MessageStatus": status}
                    ok = await client.post(
                        hook,
                        data=signed,
                        headers={"X-Twilio-Signature": twilio_signature(TOKEN, hook, signed.items())},
                    )
                    assert ok.status_code == 204
            refused = notify.metric("sms_receipts_rejected_total")
            delivered = notify.metric("sms_delivery_status_total", status="delivered")

    assert (unsigned.status_code, forged.status_code) == (403, 403)
    assert refused == 2
    assert receipts["receipts"] == {"posted": 6}  # sent + final for each of the 3 messages, all accepted
    rows = await pool.fetch(
        """SELECT n.status AS sent, r.status AS receipt, r.error_code FROM notifications n
           JOIN sms_receipts r USING (provider_message_id) ORDER BY r.status"""
    )
    assert [tuple(row) for row in rows] == [("sent", "delivered", None)] * 2 + [
        ("sent", "undelivered", "30003")
    ]
    others = await pool.fetch(
        "SELECT provider_message_id, status FROM sms_receipts WHERE provider_message_id LIKE 'SMo%'"
    )
    assert [tuple(row) for row in others] == [("SMother", "delivered")]
    assert (
        await pool.fetchval("SELECT count(*) FROM sms_receipts WHERE provider_message_id = 'SMforged'") == 0
    )
    assert delivered == 3


async def _receipts(pool: asyncpg.Pool, count: int, *, final: bool) -> bool:
    statuses = ("delivered", "undelivered") if final else ("sent",)
    found = await pool.fetchval(
        "SELECT count(*) FROM sms_receipts WHERE status = ANY($1::text[])", list(statuses)
    )
    return bool(found >= count)
