"""Notify's delivery-receipt webhook reads no body past the one limit every app has (413), declared or
streamed; nothing else is looked at (no signature check, no database)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from services.notify.bootstrap import bootstrap
from services.notify.settings import NotifySettings

pytestmark = pytest.mark.unit
LIMIT = 64 * 1024


async def chunks(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), 8192):
        yield body[start : start + 8192]


async def test_a_receipt_over_the_limit_is_a_413_declared_or_streamed() -> None:
    app = bootstrap(NotifySettings(sms_auth_token="receipts-token"))
    form = b"MessageSid=SM1&MessageStatus=delivered&Padding=" + b"x" * LIMIT
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://notify") as client:
        declared = await client.post("/webhooks/sms-status", content=form, headers=headers)
        streamed = await client.post("/webhooks/sms-status", content=chunks(form), headers=headers)
    for answer in (declared, streamed):
        assert (answer.status_code, answer.json()) == (
            413,
            {"detail": f"the body is larger than {LIMIT} bytes"},
        )
