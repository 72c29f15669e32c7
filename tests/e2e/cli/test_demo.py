"""`python -m cli demo` against a real stack: every case ends where its story says, every citizen texted or,
the one who wrote on Messenger, answered there."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest

from shared.events import Envelope
from shared.eventstore import PostgresEventStore
from tests.e2e.cli.conftest import CliStack

pytestmark = pytest.mark.e2e

WG = "moi-working-group"
# Each story's case events that change where it stands, in order (SLA breaches and SMS outcomes aside).
EXPECTED = {
    "sokha": ["ComplaintFiled web", "CaseAssigned police:1203", "CaseAcknowledged", "CaseInfoRequested",
              "CitizenReplied", "CaseResolved"],
    "dara": ["ComplaintFiled facebook", "CaseAssigned police:0203", "CaseRefused",
             "CaseEscalated refused provincial-police:KH-2", "CaseAcknowledged", "CaseResolved"],
    "srey-mom": ["ComplaintFiled sms", "CaseAssigned provincial-hall:KH-17", f"CaseEscalated unanswered {WG}",
                 "VerdictRecorded substantiated", "CaseAcknowledged", "CaseResolved"],
    "vannak": ["ComplaintFiled commune_office", "CaseAssigned commune:120301",
               "CaseEscalated unanswered provincial-hall:KH-12", "CaseAcknowledged", "CaseResolved"],
    "chenda": ["ComplaintFiled web", "CaseAssigned police:1204", "CaseAcknowledged", "CaseResolved"],
    "bopha": ["ComplaintFiled web", "CaseAssigned provincial-police:KH-7", f"CaseEscalated unanswered {WG}",
              "VerdictRecorded substantiated", "CaseAcknowledged"],
    "anonymous": ["ComplaintFiled web", "CaseNeedsTriage", "CaseAssigned provincial-hall:KH-3",
                  "CaseAcknowledged"],
    "rotha": ["ComplaintFiled facebook", "CaseNeedsTriage", "CaseAssigned police:1204", "CaseAcknowledged",
              "CaseResolved"],
}  # fmt: skip
CITIZEN_FACING = {
    "ComplaintFiled", "CaseAssigned", "CaseInfoRequested", "CaseEscalated", "CaseResolved", "VerdictRecorded",
}  # fmt: skip
ASIDE = {"SlaBreached", "CitizenNotified", "CitizenNotificationFailed"}


async def test_the_demo_takes_each_case_where_its_story_says_and_texts_each_citizen(
    cli_stack: CliStack,
) -> None:
    demo = cli_stack.cli("demo", "--timeout", "150", "--poll", "0.2", timeout=240)
    assert demo.returncode == 0, demo.stdout[-4000:] + demo.stderr[-4000:]
    assert "every journey complete" in demo.stdout

    async with asyncpg.create_pool(cli_stack.database_url, min_size=1, max_size=2) as pool:
        filings = await pool.fetch(
            """SELECT e.case_id, e.data->>'channel_message_id' AS message_id, c.phone, c.facebook_psid
               FROM events e LEFT JOIN citizens c ON c.citizen_id = (e.data->'citizen'->>'citizen_id')::uuid
               WHERE e.type = 'ComplaintFiled' AND e.data->>'channel_message_id' LIKE 'demo-%'"""
        )
        streams = await PostgresEventStore(pool).read_streams([row["case_id"] for row in filings])
    async with httpx.AsyncClient(base_url=cli_stack.env["SMS_API_BASE"]) as gateway:
        messages: list[dict[str, Any]] = (await gateway.get("/messages")).json()
    psids = [row["facebook_psid"] for row in filings if row["facebook_psid"] is not None]
    async with httpx.AsyncClient(base_url=cli_stack.env["MESSENGER_GATEWAY_URL"]) as page:
        on_messenger = {p: (await page.get("/messages", params={"psid": p})).json() for p in psids}

    stories = {row["message_id"].split("-", 2)[2]: row for row in filings}
    assert set(stories) == set(EXPECTED)
    for key, row in stories.items():
        events = streams[row["case_id"]]
        assert _path(events) == EXPECTED[key], key
        notified = [e for e in events if e.type == "CitizenNotified"]
        texts = [m["body"] for m in messages if row["phone"] is not None and m["to"] == row["phone"]]
        reference = events[0].data["reference"]
        if key == "anonymous":
            assert (row["phone"], notified) == (None, [])
            continue
        if key == "rotha":
            texts = _heard_on_messenger(on_messenger[row["facebook_psid"]], events, reference)
            assert row["phone"] is None
            assert not [m for m in messages if reference in m["body"]]  # nothing by SMS
        assert len(notified) == len(texts) == sum(e.type in CITIZEN_FACING for e in events), key
        assert all(reference in text for text in texts), key
        if events[0].data["citizen"]["language"] == "km":
            assert all(any("\u1780" <= char <= "\u17ff" for char in text) for text in texts), key
    assert streams[stories["bopha"]["case_id"]][0].data["confidential"] is True
    assert "SMS each citizen got" in demo.stdout
    assert "Messenger messages the page sent" in demo.stdout


def _heard_on_messenger(received: list[dict[str, Any]], events: list[Envelope], reference: str) -> list[str]:
    """What notify sent the Messenger citizen; the receipt first, as the response to the message that filed
    (checked here), and the answer to the citizen's STATUS beside them (intake's, not an event)."""
    sent = {message["mid"]: message for message in received}
    notified = [e.data for e in events if e.type == "CitizenNotified"]
    assert {n["channel"] for n in notified} == {"messenger"}
    assert {n["provider_message_id"] for n in notified} <= set(sent)
    types = {str(e.event_id): e.type for e in events}
    (receipt,) = [n for n in notified if types[n["about_event_id"]] == "ComplaintFiled"]
    assert received[0] == sent[receipt["provider_message_id"]]
    assert (received[0]["detail"], reference in received[0]["text"]) == ("RESPONSE", True)
    answers = [m for m in received if m["mid"] not in {n["provider_message_id"] for n in notified}]
    assert [m["detail"] for m in answers] == ["RESPONSE"]
    assert reference in answers[0]["text"]
    return [sent[n["provider_message_id"]]["text"] for n in notified]


def _path(events: list[Envelope]) -> list[str]:
    return [f"{event.type} {_detail(event)}".strip() for event in events if event.type not in ASIDE]


def _detail(event: Envelope) -> str:
    data = event.data
    match event.type:
        case "ComplaintFiled":
            return str(data["channel"])
        case "CaseAssigned":
            return str(data["unit"]["id"])
        case "CaseEscalated":
            return f"{data['reason']} {data['to_unit']['id']}"
        case "VerdictRecorded":
            return str(data["verdict"])
    return ""
