"""A unit cannot bury a case behind a question: unanswered, the question holds the clocks for the policy's
`citizen_reply_wait` only, then the case escalates; and the working group may take it back at any level."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest

from shared.events import Envelope
from shared.eventstore import PostgresEventStore
from shared.testing.kafka import eventually
from shared.testing.servers import LocalServers, new_topic_prefix
from shared.testing.stack import ServiceStack
from tests.integration.sla.cases import write_policy

pytestmark = pytest.mark.e2e

WAIT = timedelta(seconds=4)
# Acknowledging takes an hour at every level: only the resolution clock (20 s) can move the case, and it
# is well ahead of the commands the test sends on a slow machine.
POLICY = f"""
calendar: {{zone: Asia/Phnom_Penh}}
deadlines:
  default: {{acknowledgement: {{plain: 1h}}, resolution: {{plain: 20s}}}}
ladder:
  - {{level: 0, name: assigned unit}}
  - level: 1
    name: provincial level
    deadlines: {{default: {{acknowledgement: {{plain: 1h}}, resolution: {{plain: 1h}}}}}}
  - {{level: 2, name: working group, unit: moi-working-group}}
triage: {{plain: 1h}}
citizen_reply_wait: {{plain: {WAIT.seconds}s}}
"""
UNIT = {"Authorization": "Bearer dev-police-1204"}
GROUP = {"Authorization": "Bearer dev-working-group"}


@pytest.fixture
def stack(servers: LocalServers, tmp_path: Path) -> Iterator[ServiceStack]:
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": servers.kafka.bootstrap_servers,
        "DATABASE_URL": servers.new_database(),
        "TOPIC_PREFIX": new_topic_prefix(),
        "SLA_POLICY_FILE": str(write_policy(tmp_path, POLICY)),
    }
    running = ServiceStack(env, tmp_path / "logs")
    try:
        running.start()
        yield running
    finally:
        running.stop()


async def test_a_question_left_unanswered_escalates_the_case_anyway(stack: ServiceStack) -> None:
    database_url = stack.processes["sla"].env["DATABASE_URL"]
    async with (
        httpx.AsyncClient(base_url=stack.url("intake"), timeout=30) as intake,
        asyncpg.create_pool(database_url, min_size=1, max_size=2) as pool,
    ):
        store = PostgresEventStore(pool)

        async def stream_with(case_id: uuid.UUID, type_: str) -> list[Envelope] | None:
            events = await store.read_stream(case_id)
            return events if any(event.type == type_ for event in events) else None

        filing = {
            "channel_message_id": f"bury-{uuid.uuid4()}",
            "submitted_at": datetime.now(UTC).isoformat(),
            "citizen": {"phone": "012 777 888", "language": "en"},
            "text": "Men with knives threatened the shop owner.",
            "category": "violence",
            "location": {"province": "KH-12", "district": "1204"},
        }
        answer = await intake.post("/v1/complaints", json=filing)
        assert answer.status_code == 202, answer.text
        case_id, reference = uuid.UUID(answer.json()["case_id"]), answer.json()["reference"]
        assert await eventually(lambda: stream_with(case_id, "CaseAssigned"), within=60)

        for name, body in (
            ("acknowledge", {"note": "On it."}),
            ("request-info", {"question": "Which shop?"}),
        ):
            answer = await intake.post(f"/v1/cases/{case_id}/{name}", json=body, headers=UNIT)
            assert answer.status_code == 200, answer.text

        events = await eventually(lambda: stream_with(case_id, "CaseEscalated"), within=90)
        assert events, "a question nobody answered held the case for good"
        asked = next(event for event in events if event.type == "CaseInfoRequested")
        assert "CitizenReplied" not in [event.type for event in events]
        breach = next(event for event in events if event.type == "SlaBreached")
        escalated = next(event for event in events if event.type == "CaseEscalated")
        # The clock was held while the wait ran, and ran again after it.
        assert breach.data["clock"] == "resolution"
        assert datetime.fromisoformat(breach.data["due_at"]) >= asked.occurred_at + WAIT
        assert (escalated.data["reason"], escalated.data["level"]) == ("unresolved", 1)

        # At level 1 now, the case is still the working group's to hand to whom it chooses.
        answer = await intake.post(
            f"/v1/cases/{case_id}/assign", json={"unit_id": "police:1203", "reason": "closer"}, headers=GROUP
        )
        assert answer.status_code == 200, answer.text
        status = await intake.get(f"/v1/cases/{reference}")
        assert status.status_code == 200
