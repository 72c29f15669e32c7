"""A citizen's Messenger conversation through the real conversation (the SMS door's, shared), the four
services and the dev Messenger gateway as processes: a complaint with a photo, its receipt once (notify's,
not intake's as well), STATUS answered on Messenger, the unit's question answered by Messenger as
``CitizenReplied``, and STOP on Messenger silencing what notify would send there."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from shared.testing.kafka import eventually
from shared.testing.stack import ServiceStack

pytestmark = pytest.mark.e2e
# Deadlines far away: nothing escalates the case away from the unit while the test talks to it.
POLICY = """
deadlines:
  default: {acknowledgement: {plain: 1h}, resolution: {plain: 1h}}
ladder:
  - {level: 0, name: assigned unit}
  - {level: 1, name: provincial level}
  - {level: 2, name: working group, unit: moi-working-group}
triage: {plain: 1h}
"""
POLICE = {"Authorization": "Bearer dev-police-1203"}
GROUP = {"Authorization": "Bearer dev-working-group"}
PHOTO = "https://scontent.example.org/v/t1/door.jpg"


@pytest.fixture
async def stack(service_env: dict[str, str], tmp_path: Path) -> AsyncIterator[ServiceStack]:
    (tmp_path / "policy.yaml").write_text(POLICY)
    services = ServiceStack(
        {**service_env, "SLA_POLICY_FILE": str(tmp_path / "policy.yaml")}, tmp_path / "logs"
    )
    await asyncio.to_thread(services.start)
    try:
        yield services
    finally:
        await asyncio.to_thread(services.stop)


class MessengerCitizen:
    """A person writing to the page through the dev Messenger gateway (signed and posted as Meta does)."""

    def __init__(self, stack: ServiceStack, client: httpx.AsyncClient) -> None:
        self.psid = str(6_000_000_000_000_000 + uuid.uuid4().int % 10**15)
        self.gateway = stack.messenger.url
        self.client = client

    async def write(self, text: str, attachments: list[dict[str, str]] | None = None) -> None:
        body: dict[str, Any] = {"text": text}
        if attachments:
            body["attachments"] = attachments
        wrote = await self.client.post(f"{self.gateway}/citizens/{self.psid}/messages", json=body)
        assert wrote.json()["status"] == 200, wrote.text

    async def received(self) -> list[dict[str, Any]]:
        """What the page sent this citizen, in order (``text``, ``detail``: the messaging type)."""
        found: list[dict[str, Any]] = (
            await self.client.get(f"{self.gateway}/messages", params={"psid": self.psid})
        ).json()
        return found

    async def heard(self, words: str) -> list[dict[str, Any]] | None:
        said = [m for m in await self.received() if words in m["text"]]
        return said or None


async def test_a_messenger_citizen_files_asks_answers_the_unit_and_stops_all_through_the_conversation(
    stack: ServiceStack, pool: asyncpg.Pool
) -> None:
    intake = stack.url("intake")
    async with httpx.AsyncClient(timeout=30) as client:
        citizen = MessengerCitizen(stack, client)
        await citizen.write(
            "Someone broke the door of my shop in Prampir Meakkakra, Phnom Penh",
            [{"type": "image", "url": PHOTO}],
        )
        case_id = await eventually(lambda: _case_of(pool), within=60)
        assert case_id
        (filed,) = await _events(pool, case_id, "ComplaintFiled")
        reference = filed["reference"]
        assert (filed["channel"], filed["evidence"]) == ("facebook", [{"kind": "image", "url": PHOTO}])

        # The receipt is notify's, as the response to the message that filed; intake says nothing more.
        assert await eventually(lambda: _notice(pool, case_id, "ComplaintFiled", "sent"), within=60)
        receipts = await citizen.heard(reference)
        assert receipts is not None
        assert [m["detail"] for m in receipts] == ["RESPONSE"]
        assert len(await citizen.received()) == 1

        await citizen.write(f"STATUS {reference}")
        status = await eventually(lambda: citizen.heard(f"Complaint {reference}: "), within=30)
        assert status is not None
        assert status[0]["detail"] == "RESPONSE"

        assert await eventually(lambda: _events(pool, case_id, "CaseNeedsTriage"), within=60)
        for path, body, token in (
            ("assign", {"unit_id": "police:1203"}, GROUP),
            ("acknowledge", None, POLICE),
            ("request-info", {"question": "Which night was it?"}, POLICE),
        ):
            done = await client.post(f"{intake}/v1/cases/{case_id}/{path}", json=body, headers=token)
            assert done.status_code == 200, done.text
        assert await eventually(
            lambda: citizen.heard("Which night was it?"), within=60
        )  # notify, on Messenger
        assert await eventually(
            lambda: _public_status(client, intake, reference, "awaiting_citizen"), within=30
        )

        await citizen.write("Saturday night, after ten")
        replied = await eventually(lambda: _events(pool, case_id, "CitizenReplied"), within=30)
        assert replied == [{"text": "Saturday night, after ten", "channel": "facebook", "evidence": []}]
        assert await eventually(lambda: citizen.heard("passed to the officer"), within=30)
        assert await eventually(lambda: _public_status(client, intake, reference, "acknowledged"), within=30)

        # STOP on Messenger: answered (a keyword), then nothing more reaches this PSID from notify.
        await citizen.write("STOP")
        assert await eventually(lambda: citizen.heard("no more texts"), within=30)
        before = len(await citizen.received())
        resolved = await client.post(
            f"{intake}/v1/cases/{case_id}/resolve", json={"note": "The door was repaired"}, headers=POLICE
        )
        assert resolved.status_code == 200, resolved.text
        assert await eventually(lambda: _notice(pool, case_id, "CaseResolved", "skipped"), within=60)
        reason = await pool.fetchval(
            "SELECT reason FROM notifications WHERE case_id = $1 AND about_type = 'CaseResolved'", case_id
        )
        assert reason == "opted_out"
        assert len(await citizen.received()) == before
    filings = await pool.fetchval("SELECT count(*) FROM events WHERE type = 'ComplaintFiled'")
    assert filings == 1  # STATUS, the answer and STOP filed nothing


async def _case_of(pool: asyncpg.Pool) -> uuid.UUID | None:
    found: uuid.UUID | None = await pool.fetchval(
        "SELECT case_id FROM events WHERE type = 'ComplaintFiled' ORDER BY position DESC LIMIT 1"
    )
    return found


async def _events(pool: asyncpg.Pool, case_id: uuid.UUID, event_type: str) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT data FROM events WHERE case_id = $1 AND type = $2 ORDER BY version", case_id, event_type
    )
    return [json.loads(row["data"]) for row in rows]


async def _notice(pool: asyncpg.Pool, case_id: uuid.UUID, about: str, status: str) -> bool:
    found = await pool.fetchval(
        "SELECT count(*) FROM notifications WHERE case_id = $1 AND about_type = $2 AND recipient = 'citizen' "
        "AND status = $3",
        case_id, about, status,
    )  # fmt: skip
    return bool(found)


async def _public_status(client: httpx.AsyncClient, intake: str, reference: str, status: str) -> bool:
    found = await client.get(f"{intake}/v1/cases/{reference}")
    return found.status_code == 200 and found.json()["status"] == status
