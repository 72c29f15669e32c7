"""A citizen's conversation by SMS through the real stack (the four services and the dev gateway as
processes), signed as Twilio signs: a complaint by text, the unit's question, the citizen's answer, the SLA
clock resuming with the time it had left; STATUS; STOP and START."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import asyncpg
import httpx
import pytest
from twilio.request_validator import RequestValidator

from shared.testing.kafka import eventually
from shared.testing.stack import ServiceStack

pytestmark = pytest.mark.e2e
TOKEN = "e2e-twilio-token"
UNIT_PHONE = "+85512999001"
# Resolution is due 20 s after the assignment: long enough for the question to come well before,
# short enough that the test waits past it while the clock is paused.
POLICY = """
deadlines:
  default: {acknowledgement: {plain: 1h}, resolution: {plain: 20s}}
ladder:
  - {level: 0, name: assigned unit}
  - {level: 1, name: provincial level}
  - {level: 2, name: working group, unit: moi-working-group}
triage: {plain: 1h}
"""
UNITS = f'units:\n  - id: "police:1203"\n    phone: "{UNIT_PHONE}"\n'
POLICE = {"Authorization": "Bearer dev-police-1203"}
GROUP = {"Authorization": "Bearer dev-working-group"}


@pytest.fixture
async def stack(service_env: dict[str, str], tmp_path: Path) -> AsyncIterator[ServiceStack]:
    (tmp_path / "policy.yaml").write_text(POLICY)
    (tmp_path / "units.yaml").write_text(UNITS)
    env = {
        **service_env, "SMS_AUTH_TOKEN": TOKEN, "SLA_POLICY_FILE": str(tmp_path / "policy.yaml"),
        "UNITS_FILE": str(tmp_path / "units.yaml"),
    }  # fmt: skip
    services = ServiceStack(env, tmp_path / "logs")
    await asyncio.to_thread(services.start)
    try:
        yield services
    finally:
        await asyncio.to_thread(services.stop)


class Citizen:
    def __init__(self, stack: ServiceStack, client: httpx.AsyncClient) -> None:
        self.phone = f"+8551{uuid.uuid4().int % 10**7:07d}"
        self.url = f"{stack.url('intake')}/webhooks/sms"
        self.client = client

    async def text(self, body: str) -> str:
        """Text ``body`` to the service, signed with twilio's own validator; the TwiML answer's words."""
        form = {"From": self.phone, "To": "+85523000000", "Body": body, "MessageSid": f"SM{uuid.uuid4().hex}"}
        signature = RequestValidator(TOKEN).compute_signature(self.url, form)
        answer = await self.client.post(
            self.url, content=urlencode(form),
            headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
        )  # fmt: skip
        assert answer.status_code == 200, answer.text
        return answer.text.split("<Message>")[1].split("</Message>")[0] if "<Message>" in answer.text else ""


async def texts_to(stack: ServiceStack, client: httpx.AsyncClient, phone: str) -> list[str]:
    found = await client.get(f"{stack.url('devsms')}/messages", params={"to": phone})
    return [str(m["body"]) for m in found.json()]


async def events(pool: asyncpg.Pool, case_id: uuid.UUID, event_type: str) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT occurred_at, data FROM events WHERE case_id = $1 AND type = $2 ORDER BY version",
        case_id,
        event_type,
    )
    return [{"at": row["occurred_at"], **json.loads(row["data"])} for row in rows]


async def test_a_citizen_answers_the_units_question_by_sms_and_the_clock_resumes_with_its_time_left(
    stack: ServiceStack, pool: asyncpg.Pool
) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        citizen = Citizen(stack, client)
        assert await citizen.text("My moto was stolen in Prampir Meakkakra, Phnom Penh") == ""
        case_id = await eventually(lambda: _case_of(pool, "ComplaintFiled"), within=30)
        assert case_id
        (filed,) = await events(pool, case_id, "ComplaintFiled")
        reference = filed["reference"]
        # The receipt comes from notify, as for every filing.
        assert await eventually(lambda: _texted(stack, client, citizen.phone, reference), within=30)
        assert await eventually(lambda: events(pool, case_id, "CaseNeedsTriage"), within=30)  # no category

        intake = stack.url("intake")
        assert (await client.post(f"{intake}/v1/cases/{case_id}/assign", json={"unit_id": "police:1203"},
                                  headers=GROUP)).status_code == 200  # fmt: skip
        assert (
            await client.post(f"{intake}/v1/cases/{case_id}/acknowledge", headers=POLICE)
        ).status_code == 200
        asked = await client.post(
            f"{intake}/v1/cases/{case_id}/request-info", json={"question": "Which day?"}, headers=POLICE
        )
        assert asked.status_code == 200
        assert await eventually(lambda: _texted(stack, client, citizen.phone, "Which day?"), within=30)
        # Wait past the original resolution deadline while the clock is paused: nothing breaches.
        (assigned,) = await events(pool, case_id, "CaseAssigned")
        original_due = assigned["at"] + timedelta(seconds=20)
        await _sleep_until(original_due + timedelta(seconds=2))
        assert await events(pool, case_id, "SlaBreached") == []

        status = await citizen.text(f"STATUS {reference}")
        assert status.startswith(f"Complaint {reference}: ")
        assert "waiting for your answer" in status
        answer = await citizen.text("Monday night, near the market")
        assert reference in answer
        (replied,) = await events(pool, case_id, "CitizenReplied")
        assert (replied["text"], replied["channel"]) == ("Monday night, near the market", "sms")
        # In the units' language (SMS_UNIT_LANGUAGE, Khmer): "the citizen answered".
        assert await eventually(lambda: _texted(stack, client, UNIT_PHONE, "ពលរដ្ឋបានឆ្លើយតប"), within=30)
        inbox = (await client.get(f"{intake}/v1/inbox", headers=POLICE)).json()
        (mine,) = [c for c in inbox if c["reference"] == reference]
        assert mine["status"] == "acknowledged"
        assert mine["exchanges"][-1]["text"] == "Monday night, near the market"

        # The breach lands when the time left at the question has run out after the answer.
        breaches = await eventually(lambda: events(pool, case_id, "SlaBreached"), within=60)
        assert breaches
        (asked_event,) = await events(pool, case_id, "CaseInfoRequested")
        left = original_due - asked_event["at"]
        assert breaches[0]["clock"] == "resolution"
        assert datetime.fromisoformat(breaches[0]["due_at"]) == replied["at"] + left
        assert breaches[0]["at"] >= replied["at"] + left


async def test_stop_silences_every_later_text_and_start_brings_them_back(
    stack: ServiceStack, pool: asyncpg.Pool
) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        citizen = Citizen(stack, client)
        assert await citizen.text("Loud karaoke every night in Prampir Meakkakra, Phnom Penh") == ""
        case_id = await eventually(lambda: _case_of(pool, "CaseNeedsTriage"), within=30)
        assert case_id
        reference = (await events(pool, case_id, "ComplaintFiled"))[0]["reference"]
        assert await eventually(lambda: _texted(stack, client, citizen.phone, reference), within=30)
        assert "no more texts" in await citizen.text("STOP")
        intake = stack.url("intake")
        assigned = await client.post(
            f"{intake}/v1/cases/{case_id}/assign", json={"unit_id": "police:1203"}, headers=GROUP
        )
        assert assigned.status_code == 200
        # The assignment's text falls due while the number is opted out: dropped, never sent.
        assert await eventually(lambda: _notice(pool, case_id, "CaseAssigned", "skipped"), within=30)
        assert await citizen.text("START")
        verdict = await client.post(
            f"{intake}/v1/cases/{case_id}/verdict", json={"verdict": "undetermined"}, headers=GROUP
        )
        assert verdict.status_code == 200
        assert await eventually(lambda: _notice(pool, case_id, "VerdictRecorded", "sent"), within=30)
        bodies = await texts_to(stack, client, citizen.phone)
        assert not any("has been sent to" in body for body in bodies)  # the assignment never went
        assert any("working group reviewed" in body for body in bodies)


async def _case_of(pool: asyncpg.Pool, event_type: str) -> uuid.UUID | None:
    found: uuid.UUID | None = await pool.fetchval(
        "SELECT case_id FROM events WHERE type = $1 ORDER BY position DESC LIMIT 1", event_type
    )
    return found


async def _texted(stack: ServiceStack, client: httpx.AsyncClient, phone: str, words: str) -> bool:
    return any(words in body for body in await texts_to(stack, client, phone))


async def _notice(pool: asyncpg.Pool, case_id: uuid.UUID, about: str, status: str) -> bool:
    found = await pool.fetchval(
        "SELECT count(*) FROM notifications WHERE case_id = $1 AND about_type = $2 AND recipient = 'citizen' "
        "AND status = $3",
        case_id, about, status,
    )  # fmt: skip
    return bool(found)


async def _sleep_until(moment: datetime) -> None:
    now = datetime.now(moment.tzinfo)
    if moment > now:
        await asyncio.sleep((moment - now).total_seconds())
