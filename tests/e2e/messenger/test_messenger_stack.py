"""A citizen's Messenger conversation through the whole stack as processes: the dev Messenger gateway
signs and posts the message as Meta does, intake files it, routing decides, the working group assigns it,
and notify answers on Messenger (the receipt as a response, the assignment as an update)."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from shared.testing.kafka import eventually
from shared.testing.stack import ServiceStack

pytestmark = pytest.mark.e2e
GROUP_TOKEN = {"Authorization": "Bearer dev-working-group"}


async def test_a_messenger_complaint_is_filed_assigned_and_answered_on_messenger(
    service_env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    stack = ServiceStack(service_env, tmp_path / "logs")
    await asyncio.to_thread(stack.start)
    psid = str(6_000_000_000_000_000 + uuid.uuid4().int % 10**15)
    try:
        gateway = stack.messenger.url
        async with httpx.AsyncClient(timeout=30) as client:
            text = "The police post in Kampot took my motorbike papers and asks for money"
            wrote = await client.post(f"{gateway}/citizens/{psid}/messages", json={"text": text})
            assert wrote.json()["status"] == 200
            again = await client.post(
                f"{gateway}/citizens/{psid}/messages", json={"text": text, "mid": wrote.json()["mid"]}
            )
            assert again.json()["status"] == 200  # Meta's retry of the same mid: answered, filed once

            pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
            try:
                filed = await eventually(lambda: _event(pool, "ComplaintFiled"), within=60)
                assert filed is not None
                assert filed["channel"] == "facebook"
                assert filed["location"]["province"] == "KH-7"
                case_id = await pool.fetchval("SELECT case_id FROM events WHERE type = 'ComplaintFiled'")
                assert await eventually(lambda: _event(pool, "CaseNeedsTriage"), within=60)  # no category
                assigned = await client.post(
                    f"{stack.url('intake')}/v1/cases/{case_id}/assign",
                    json={"unit_id": "police:0701", "reason": "Kampot district police"},
                    headers=GROUP_TOKEN,
                )
                assert assigned.status_code == 200, assigned.text
                assert await eventually(lambda: _event(pool, "CaseAssigned"), within=60)

                async def answered() -> list[dict[str, Any]] | None:
                    sent: list[dict[str, Any]] = (
                        await client.get(f"{gateway}/messages", params={"psid": psid})
                    ).json()
                    return sent if len(sent) >= 2 else None

                async def recorded() -> list[asyncpg.Record] | None:
                    rows = await pool.fetch(
                        "SELECT data FROM events WHERE type = 'CitizenNotified' ORDER BY position"
                    )
                    return rows if len(rows) >= 2 else None

                sent = await eventually(answered, within=60)
                notified = await eventually(recorded, within=60)
                assert sent is not None
                assert notified is not None
                filings = await pool.fetchval("SELECT count(*) FROM events WHERE type = 'ComplaintFiled'")
            finally:
                await pool.close()
    finally:
        await asyncio.to_thread(stack.stop)
    assert filings == 1
    assert [m["detail"] for m in sent] == ["RESPONSE", "UPDATE"]
    assert filed["reference"] in sent[0]["text"]
    assert [json.loads(r["data"])["channel"] for r in notified] == ["messenger", "messenger"]
    assert {json.loads(r["data"])["provider_message_id"] for r in notified} == {m["mid"] for m in sent}


async def _event(pool: asyncpg.Pool, event_type: str) -> dict[str, Any] | None:
    raw = await pool.fetchval("SELECT data FROM events WHERE type = $1 ORDER BY position LIMIT 1", event_type)
    found: dict[str, Any] | None = json.loads(raw) if raw else None
    return found
