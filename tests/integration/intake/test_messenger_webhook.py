"""Intake's Messenger webhook on the real Kafka and PostgreSQL, fed Meta's payload shapes: the handshake,
the signature, every item of a batch, evidence, the vault's last-message time, bad input, a storm of
retries of one mid."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from shared.messenger.signature import hub_signature
from tests.integration.intake.harness import Running
from tests.unit.messenger.payloads import (
    APP_SECRET,
    TIME,
    attachment,
    batch,
    delivered,
    echo,
    location,
    postback,
    read,
    signed,
    text,
)

pytestmark = pytest.mark.integration
PATH = "/webhooks/facebook"


async def deliver(intake: Running, payload: dict[str, Any], secret: str | None = None) -> httpx.Response:
    body, headers = signed(payload) if secret is None else signed(payload, secret)
    return await intake.client.post(PATH, content=body, headers=headers)


async def chunks(body: bytes) -> AsyncIterator[bytes]:
    """A body sent without a declared length."""
    for start in range(0, len(body), 65536):
        yield body[start : start + 65536]


async def filings(intake: Running) -> list[dict[str, Any]]:
    rows = await intake.pool.fetch("SELECT data FROM events WHERE type = 'ComplaintFiled' ORDER BY position")
    return [json.loads(row["data"]) for row in rows]


def psid() -> str:
    return str(6_000_000_000_000_000 + uuid.uuid4().int % 10**15)


async def test_the_verification_handshake_answers_the_challenge_only_for_the_verify_token(
    intake: Running,
) -> None:
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": "dev-facebook-verify-token",
        "hub.challenge": "1158201444",
    }
    answer = await intake.client.get(PATH, params=query)
    assert (answer.status_code, answer.text) == (200, "1158201444")
    for wrong in ({"hub.verify_token": "guess"}, {"hub.mode": "unsubscribe"}):
        assert (await intake.client.get(PATH, params=query | wrong)).status_code == 403
    assert (await intake.client.get(PATH)).status_code == 403


async def test_a_bad_or_missing_signature_is_403_and_files_nothing(intake: Running) -> None:
    payload = batch([text(psid(), "m_sig", "police took my bike")])
    assert (await deliver(intake, payload, secret="not-the-app-secret")).status_code == 403
    body, _ = signed(payload)
    answer = await intake.client.post(PATH, content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 403
    assert answer.json()["detail"].startswith("X-Hub-Signature-256")
    assert await filings(intake) == []
    assert intake.metric("messenger_events_total", kind="bad_signature") == 2


async def test_a_batch_of_several_entries_files_every_message_and_skips_the_rest(intake: Running) -> None:
    one, two = psid(), psid()
    payload = batch(
        [text(one, "m_1", "Police in Kampot took money from me"), echo(one, "m_echo"), read(one)],
        [delivered(two, "m_old"), postback(two, "I want to complain", "COMPLAIN", mid="m_pb")],
        [attachment(two, "m_img", "image", "https://scontent.xx.fbcdn.net/v/evidence.jpg"),
         location(two, "m_loc", 10.61, 104.18)],
    )  # fmt: skip
    answer = await deliver(intake, payload)
    assert (answer.status_code, answer.json()) == (200, {"received": 4, "skipped": 3})
    filed = {f["channel_message_id"]: f for f in await filings(intake)}
    assert set(filed) == {"m_1", "m_pb", "m_img", "m_loc"}
    assert all(f["channel"] == "facebook" for f in filed.values())
    assert filed["m_1"]["location"]["province"] == "KH-7"  # Kampot, found in the text
    assert filed["m_img"]["text"] == "[image]"
    assert filed["m_img"]["evidence"] == [
        {"kind": "image", "url": "https://scontent.xx.fbcdn.net/v/evidence.jpg"}
    ]
    assert filed["m_loc"]["evidence"] == [{"kind": "location", "url": "geo:10.61,104.18"}]
    assert filed["m_1"]["evidence"] == []
    assert filed["m_1"]["citizen"]["reachable_by"] == ["messenger"]
    stored = json.dumps(list(filed.values()))
    assert one not in stored
    assert two not in stored
    # One citizen per PSID, each with the time of their latest message for notify's 24-hour rule.
    rows = await intake.pool.fetch("SELECT facebook_psid, messenger_last_message_at FROM citizens")
    assert {r["facebook_psid"]: r["messenger_last_message_at"].timestamp() * 1000 for r in rows} == {
        one: TIME,
        two: TIME,
    }
    for kind, count in (("message", 1), ("postback", 1), ("attachment", 2), ("echo", 1), ("read", 1),
                        ("delivery", 1)):  # fmt: skip
        assert intake.metric("messenger_events_total", kind=kind) == count, kind


async def test_a_storm_of_retries_of_one_mid_files_one_case(intake: Running) -> None:
    sender = psid()
    payload = batch([text(sender, "m_storm", "The commune office ignores my land complaint")])
    answers = await asyncio.gather(*(deliver(intake, payload) for _ in range(25)))
    assert {a.status_code for a in answers} == {200}
    assert [f["channel_message_id"] for f in await filings(intake)] == ["m_storm"]
    assert await intake.pool.fetchval("SELECT count(*) FROM citizens WHERE facebook_psid = $1", sender) == 1


async def test_a_text_over_2000_characters_is_filed_whole(intake: Running) -> None:
    words = "ប៉ូលិសមិនជួយ " * 200  # 2,600 characters of Khmer
    assert (await deliver(intake, batch([text(psid(), "m_long", words)]))).status_code == 200
    (filed,) = await filings(intake)
    assert (filed["text"], filed["citizen"]["language"]) == (words.strip(), "km")


async def test_a_batch_of_khmer_escaped_as_meta_does_past_64_kib_is_filed(intake: Running) -> None:
    words = ("ប៉ូលិសនៅកំពតមិនជួយខ្ញុំ " * 100)[:2000]  # Meta's longest text, every character six bytes
    senders = [psid() for _ in range(6)]
    body, headers = signed(
        batch([text(sender, f"m_km_{n}", words) for n, sender in enumerate(senders)]), escaped=True
    )
    assert 64 * 1024 < len(body) < 1024 * 1024
    for sent in (body, chunks(body)):
        answer = await intake.client.post(PATH, content=sent, headers=headers)
        assert (answer.status_code, answer.json()) == (200, {"received": 6, "skipped": 0})
    filed = await filings(intake)
    assert sorted(f["channel_message_id"] for f in filed) == [f"m_km_{n}" for n in range(6)]
    assert {f["text"] for f in filed} == {words.strip()}


async def test_a_body_past_1_mib_is_a_413_and_files_nothing(intake: Running) -> None:
    body, headers = signed(batch([text(psid(), "m_huge", "x" * (1024 * 1024))]))
    for sent in (body, chunks(body)):
        answer = await intake.client.post(PATH, content=sent, headers=headers)
        assert answer.status_code == 413
        assert answer.json()["detail"] == f"the body is larger than {1024 * 1024} bytes"
    assert await filings(intake) == []


@pytest.mark.parametrize(
    ("body", "status", "kind"),
    [
        (b"this is not json", 400, "not_json"),
        (json.dumps({"object": "instagram", "entry": [{"id": "1", "messaging": []}]}).encode(), 200,
         "other_object"),
        (json.dumps({"object": "page", "entry": [{"id": "1", "time": 1}]}).encode(), 200, "no_messaging"),
    ],
)  # fmt: skip
async def test_deliveries_that_carry_no_message_file_nothing(
    intake: Running, body: bytes, status: int, kind: str
) -> None:
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": hub_signature(APP_SECRET, body),
    }
    answer = await intake.client.post(PATH, content=body, headers=headers)
    assert answer.status_code == status
    if status == 400:
        assert answer.json()["errors"] == [{"field": None, "message": "the body is not JSON"}]
    assert await filings(intake) == []
    assert intake.metric("messenger_events_total", kind=kind) == 1
