"""Responder and working-group commands over HTTP: tokens, ownership, the lifecycle, idempotency, queues."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from prometheus_client import CollectorRegistry

from services.intake.case_commands import CaseCommands, CaseNotFoundError
from services.intake.domain.commands import Acknowledge, NotYoursError, Responder
from services.intake.metrics import IntakeMetrics
from shared.events import Envelope, EventData
from shared.events.types import CaseEscalated, CaseNeedsTriage, CitizenReplied, SlaBreached
from shared.eventstore import PostgresEventStore
from shared.service.metrics import CommonMetrics
from shared.testing.events import new_event
from tests.integration.intake.harness import Running, append, assign, bearer, file, projected
from tests.unit.intake.samples import NAME, PHONE_E164, encode, web_submission

pytestmark = pytest.mark.integration
POLICE = bearer("dev-police-1203")
GROUP = bearer("dev-working-group")


async def new_case(
    intake: Running, unit_id: str | None = "police:1203", **changes: object
) -> tuple[uuid.UUID, str]:
    body = web_submission(location={"province": "Phnom Penh", "district": "1203"}, **changes)
    filed = (await file(intake, encode(body))).json()
    case_id = uuid.UUID(filed["case_id"])
    if unit_id:
        await assign(intake, case_id, unit_id)
    return case_id, filed["reference"]


async def command(
    intake: Running, case_id: uuid.UUID, name: str, headers: dict[str, str], **body: object
) -> int:
    answer = await intake.client.post(f"/v1/cases/{case_id}/{name}", json=body or None, headers=headers)
    return answer.status_code


async def test_commands_need_a_known_bearer_token(intake: Running) -> None:
    case_id, _ = await new_case(intake)
    for headers in ({}, bearer("not-a-token"), {"Authorization": "Basic ZGV2OmRldg=="}):
        answer = await intake.client.post(f"/v1/cases/{case_id}/acknowledge", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == "Bearer"
        assert (await intake.client.get("/v1/inbox", headers=headers)).status_code == 401
        assert (await intake.client.get("/v1/escalations", headers=headers)).status_code == 401


async def test_a_unit_answers_its_case_through_the_lifecycle(intake: Running) -> None:
    case_id, reference = await new_case(intake)
    assert await command(intake, case_id, "acknowledge", POLICE, note="we are on it") == 200
    assert await command(intake, case_id, "request-info", POLICE, question="Which night was it?") == 200
    await append_reply(intake, case_id)
    answer = await intake.client.post(
        f"/v1/cases/{case_id}/resolve", json={"note": "returned"}, headers=POLICE
    )
    assert answer.status_code == 200
    assert (answer.json()["type"], answer.json()["status"], answer.json()["version"]) == (
        "CaseResolved",
        "resolved",
        6,
    )
    events = await intake.store.read_stream(case_id)
    assert [e.actor.model_dump() for e in events[2:4]] == [{"kind": "unit", "id": "police:1203"}] * 2
    status = await projected(intake, reference, "resolved")
    assert [entry["type"] for entry in status["timeline"]][-1] == "CaseResolved"


async def append_reply(intake: Running, case_id: uuid.UUID) -> None:
    await append(intake, case_id, CitizenReplied(text="Saturday night", channel="sms"))


async def test_another_units_case_is_a_403(intake: Running) -> None:
    case_id, _ = await new_case(intake, unit_id="police:1204")
    for name in ("acknowledge", "refuse", "resolve"):
        assert await command(intake, case_id, name, POLICE) == 403
    assert await command(intake, case_id, "request-info", POLICE, question="?") == 403
    channel = bearer("dev-channel")  # the channel entry of deploy/dev-tokens.yaml
    assert await command(intake, case_id, "acknowledge", channel) == 403
    assert intake.metric("case_commands_total", command="acknowledge", outcome="forbidden") == 2


async def test_what_the_status_forbids_is_a_409(intake: Running) -> None:
    case_id, _ = await new_case(intake)
    assert await command(intake, case_id, "resolve", POLICE) == 409  # not acknowledged yet
    assert await command(intake, case_id, "acknowledge", POLICE) == 200
    assert await command(intake, case_id, "resolve", POLICE) == 200
    answer = await intake.client.post(f"/v1/cases/{case_id}/resolve", headers=POLICE)
    assert answer.status_code == 409
    assert "resolved" in answer.json()["detail"]
    assert len(await intake.store.read_stream(case_id)) == 4


async def test_a_retried_command_with_its_idempotency_key_changes_nothing(intake: Running) -> None:
    case_id, _ = await new_case(intake)
    key = {"Idempotency-Key": "ack-1"}
    first = await intake.client.post(f"/v1/cases/{case_id}/acknowledge", headers=POLICE | key)
    again = await intake.client.post(f"/v1/cases/{case_id}/acknowledge", headers=POLICE | key)
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json()["event_id"] == again.json()["event_id"]
    assert (first.json()["replayed"], again.json()["replayed"]) == (False, True)
    reused = await intake.client.post(f"/v1/cases/{case_id}/refuse", headers=POLICE | key)
    assert reused.status_code == 409
    assert len(await intake.store.read_stream(case_id)) == 3


async def test_a_question_over_160_characters_is_a_422(intake: Running) -> None:
    case_id, _ = await new_case(intake)
    await command(intake, case_id, "acknowledge", POLICE)
    answer = await intake.client.post(
        f"/v1/cases/{case_id}/request-info", json={"question": "?" * 161}, headers=POLICE
    )
    assert answer.status_code == 422
    assert [error["field"] for error in answer.json()["errors"]] == ["question"]
    assert await command(intake, case_id, "request-info", POLICE, question="?" * 160) == 200


async def test_an_unknown_case_is_a_404_and_a_bad_body_a_400(intake: Running) -> None:
    assert await command(intake, uuid.uuid4(), "acknowledge", POLICE) == 404
    case_id, _ = await new_case(intake)
    broken = await intake.client.post(
        f"/v1/cases/{case_id}/acknowledge",
        content=b"{nope",
        headers=POLICE | {"Content-Type": "application/json"},
    )
    assert broken.status_code == 400


async def test_the_inbox_lists_the_units_open_cases_with_the_citizens_contact(intake: Running) -> None:
    named, _ = await new_case(intake)
    anonymous, _ = await new_case(intake, citizen={"anonymous": True, "phone": "012999888"})
    elsewhere, _ = await new_case(intake, unit_id="police:1204")
    closed, closed_reference = await new_case(intake)
    await command(intake, closed, "acknowledge", POLICE)
    await command(intake, closed, "resolve", POLICE)
    await projected(intake, closed_reference, "resolved")
    inbox = (await intake.client.get("/v1/inbox", headers=POLICE)).json()
    by_case = {uuid.UUID(case["case_id"]): case for case in inbox}
    assert set(by_case) == {named, anonymous}
    assert by_case[named]["citizen"] == {
        "name": NAME, "phone": PHONE_E164, "facebook_psid": None, "language": "km",
    }  # fmt: skip
    assert by_case[anonymous]["citizen"] is None
    assert by_case[named]["text"]
    assert elsewhere not in by_case
    assert (await intake.client.get("/v1/inbox", headers=bearer("dev-ops"))).status_code == 403


async def test_the_working_group_triages_assigns_and_judges(intake: Running) -> None:
    case_id, reference = await new_case(intake, unit_id=None)
    await append(intake, case_id, CaseNeedsTriage(reason="no category rule"))
    await projected(intake, reference, "needs_triage")
    queue = (await intake.client.get("/v1/escalations", headers=GROUP)).json()
    assert [entry["reference"] for entry in queue] == [reference]
    assert (await intake.client.get("/v1/escalations", headers=POLICE)).status_code == 403

    assert await command(intake, case_id, "assign", POLICE, unit_id="police:1203") == 403
    assert await command(intake, case_id, "assign", GROUP, unit_id="police:9999") == 422
    answer = await intake.client.post(
        f"/v1/cases/{case_id}/assign", json={"unit_id": "police:1203", "reason": "Theirs"}, headers=GROUP
    )
    assert answer.status_code == 200
    assigned = (await intake.store.read_stream(case_id))[-1]
    assert assigned.actor.kind == "working_group"
    assert assigned.data["unit"]["id"] == "police:1203"
    assert assigned.data["level"] == 0
    # At level 0 now, and still the working group's to move (docs/architecture.md §Case lifecycle).
    assert await command(intake, case_id, "assign", GROUP, unit_id="police:1204") == 200
    assert (await intake.store.read_stream(case_id))[-1].data["unit"]["id"] == "police:1204"

    assert await command(intake, case_id, "verdict", POLICE, verdict="substantiated") == 403
    assert await command(intake, case_id, "verdict", GROUP, verdict="substantiated", note="seen") == 200
    await projected(intake, reference, "assigned")
    assert (await intake.client.get("/v1/escalations", headers=GROUP)).json() == []


async def test_a_case_escalated_to_the_working_group_is_in_its_queue_and_inbox(intake: Running) -> None:
    case_id, reference = await new_case(intake)
    police, group = intake.intake.units.get("police:1203"), intake.intake.units.get("moi-working-group")
    assert police
    assert group
    await append(
        intake, case_id, CaseEscalated(from_unit=police.ref(), to_unit=group.ref(), level=2, reason="refused")
    )
    await projected(intake, reference, "assigned")
    assert [c["reference"] for c in (await intake.client.get("/v1/escalations", headers=GROUP)).json()] == [
        reference
    ]
    assert [c["reference"] for c in (await intake.client.get("/v1/inbox", headers=GROUP)).json()] == [
        reference
    ]
    assert await command(intake, case_id, "acknowledge", POLICE) == 403
    assert await command(intake, case_id, "acknowledge", GROUP) == 200


def now() -> datetime:
    return datetime.now(UTC)


class RacingStore(PostgresEventStore):
    """The real store, with another writer appending ``race`` right after the command's first read."""

    def __init__(self, pool: asyncpg.Pool, race: list[EventData]) -> None:
        super().__init__(pool)
        self.race = race
        self.reads = 0

    async def read_streams(
        self, case_ids: Sequence[uuid.UUID], **options: Any
    ) -> dict[uuid.UUID, list[Envelope]]:
        streams = await super().read_streams(case_ids, **options)
        self.reads += 1
        for case_id in case_ids:
            if self.race:
                await super().append(case_id, len(streams.get(case_id, [])), [new_event(self.race.pop())])
        return streams


def racing_commands(intake: Running, race: list[EventData], stores: list[RacingStore]) -> CaseCommands:
    stores.append(RacingStore(intake.infra.database.pool, race))
    conflicts = CommonMetrics(CollectorRegistry()).event_store_conflicts.labels(writer="intake")
    return CaseCommands(stores[-1], IntakeMetrics(CollectorRegistry()), now, conflicts)


async def test_a_version_conflict_reloads_and_decides_again(intake: Running) -> None:
    case_id, _ = await new_case(intake)
    breach = SlaBreached(clock="acknowledgement", due_at=now(), unit_id="police:1203", level=0)
    stores: list[RacingStore] = []
    done = await racing_commands(intake, [breach], stores).handle(
        case_id, Acknowledge(), Responder("police:1203")
    )
    assert (done.event.version, done.status) == (4, "acknowledged")  # decided again on version 3
    assert stores[0].reads == 2


async def test_a_conflict_that_moves_the_case_away_refuses_the_command(intake: Running) -> None:
    case_id, _ = await new_case(intake)
    police, provincial = (
        intake.intake.units.get("police:1203"),
        intake.intake.units.get("provincial-police:KH-12"),
    )
    assert police
    assert provincial
    escalation = CaseEscalated(from_unit=police.ref(), to_unit=provincial.ref(), level=1, reason="unanswered")
    commands = racing_commands(intake, [escalation], [])
    with pytest.raises(NotYoursError):
        await commands.handle(case_id, Acknowledge(), Responder("police:1203"))
    types = [event.type for event in await intake.store.read_stream(case_id)]
    assert types == ["ComplaintFiled", "CaseAssigned", "CaseEscalated"]
    with pytest.raises(CaseNotFoundError):
        await commands.handle(uuid.uuid4(), Acknowledge(), Responder("police:1203"))
