"""The command use case on the in-memory store: accepted, refused, replayed by key, decided again when the
case moves, contended past the bound."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from prometheus_client import CollectorRegistry

from services.intake.case_commands import (
    CaseCommands,
    CaseNotFoundError,
    ContendedError,
    KeyReusedError,
)
from services.intake.domain.commands import Acknowledge, NotNowError, NotYoursError, Resolve, Responder
from services.intake.metrics import IntakeMetrics
from shared.events import NewEvent
from shared.events.types import CaseAcknowledged, CaseAssigned, CaseEscalated, SlaBreached, UnitRef
from shared.eventstore.decide import MAX_ATTEMPTS
from shared.testing.events import complaint_filed, new_event
from tests.unit.eventstore.racing import Conflicts, RacingStore

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
POLICE = UnitRef(id="police:1203", kind="police", name="Prampir Meakkakra police", province="KH-12")
PROVINCIAL = UnitRef(id="provincial-police:KH-12", kind="provincial_police", name="PP", province="KH-12")
UNIT = Responder("police:1203")
BREACH = SlaBreached(clock="acknowledgement", due_at=NOW, unit_id=POLICE.id, level=0)


class Commands:
    """A case assigned to ``POLICE`` in a racing in-memory store, and the use case on that store."""

    def __init__(self, store: RacingStore, case_id: uuid.UUID) -> None:
        self.store, self.case_id = store, case_id
        self.registry = CollectorRegistry()
        self.conflicts = Conflicts()
        self.use_case = CaseCommands(store, IntakeMetrics(self.registry), lambda: NOW, self.conflicts.counter)

    @classmethod
    async def assigned(cls, rivals: list[SlaBreached | CaseEscalated | NewEvent] | None = None) -> Commands:
        case_id = uuid.uuid4()
        store = RacingStore({case_id: rivals or []})
        assigned = CaseAssigned(unit=POLICE, level=0, rule="theft", reason="the district's police")
        await store.append(case_id, 0, [new_event(complaint_filed()), new_event(assigned)])
        return cls(store, case_id)

    def outcomes(self, command: str, outcome: str) -> float:
        labels = {"command": command, "outcome": outcome}
        return self.registry.get_sample_value("case_commands_total", labels) or 0.0


async def test_a_command_the_case_allows_is_appended() -> None:
    commands = await Commands.assigned()
    done = await commands.use_case.handle(commands.case_id, Acknowledge(note="on it"), UNIT)
    assert (done.event.type, done.event.version, done.status, done.replayed) == (
        "CaseAcknowledged", 3, "acknowledged", False,
    )  # fmt: skip
    assert (await commands.store.read_stream(commands.case_id))[-1] == done.event
    assert commands.outcomes("acknowledge", "accepted") == 1


async def test_a_command_the_status_forbids_is_refused_and_stores_nothing() -> None:
    commands = await Commands.assigned()
    with pytest.raises(NotNowError):
        await commands.use_case.handle(commands.case_id, Resolve(), UNIT)  # not acknowledged yet
    with pytest.raises(NotYoursError):
        await commands.use_case.handle(commands.case_id, Acknowledge(), Responder("police:1204"))
    with pytest.raises(CaseNotFoundError):
        await commands.use_case.handle(uuid.uuid4(), Acknowledge(), UNIT)
    assert len(await commands.store.read_stream(commands.case_id)) == 2
    assert commands.outcomes("resolve", "conflict") == 1
    assert commands.outcomes("acknowledge", "forbidden") == 1
    assert commands.outcomes("acknowledge", "not_found") == 1


async def test_a_command_retried_with_its_key_is_answered_with_what_it_stored() -> None:
    commands = await Commands.assigned()
    first = await commands.use_case.handle(commands.case_id, Acknowledge(), UNIT, idempotency_key="req-1")
    again = await commands.use_case.handle(commands.case_id, Acknowledge(), UNIT, idempotency_key="req-1")
    assert (again.event, again.status, again.replayed) == (first.event, "acknowledged", True)
    assert len(await commands.store.read_stream(commands.case_id)) == 3
    assert commands.outcomes("acknowledge", "replayed") == 1


async def test_the_same_key_stored_by_a_concurrent_request_is_replayed() -> None:
    acknowledged = new_event(CaseAcknowledged(unit_id=POLICE.id))
    rival = replace(acknowledged, idempotency_key="command:req-1", actor=UNIT.actor)
    commands = await Commands.assigned(rivals=[rival])
    done = await commands.use_case.handle(commands.case_id, Acknowledge(), UNIT, idempotency_key="req-1")
    assert (done.event.event_id, done.event.version, done.replayed) == (rival.event_id, 3, True)
    assert len(await commands.store.read_stream(commands.case_id)) == 3


async def test_a_replay_answers_only_the_responder_who_sent_the_command() -> None:
    commands = await Commands.assigned()
    await commands.use_case.handle(commands.case_id, Acknowledge(), UNIT, idempotency_key="req-1")
    for other in (Responder("police:1204"), Responder(None), Responder(None, working_group=True)):
        with pytest.raises(NotYoursError):
            await commands.use_case.handle(commands.case_id, Acknowledge(), other, idempotency_key="req-1")
    assert commands.outcomes("acknowledge", "forbidden") == 3
    assert commands.outcomes("acknowledge", "replayed") == 0


async def test_a_key_that_named_another_command_is_refused() -> None:
    commands = await Commands.assigned()
    await commands.use_case.handle(commands.case_id, Acknowledge(), UNIT, idempotency_key="req-1")
    with pytest.raises(KeyReusedError):
        await commands.use_case.handle(commands.case_id, Resolve(), UNIT, idempotency_key="req-1")
    assert len(await commands.store.read_stream(commands.case_id)) == 3


async def test_a_case_that_moves_while_deciding_is_decided_on_again_as_it_is_now() -> None:
    commands = await Commands.assigned(rivals=[BREACH])
    done = await commands.use_case.handle(commands.case_id, Acknowledge(), UNIT)
    assert (done.event.version, done.status) == (4, "acknowledged")  # decided again on version 3
    assert commands.store.reads == [[commands.case_id]] * 2
    assert commands.conflicts.counted == 1


async def test_a_move_that_takes_the_case_away_refuses_the_command_decided_again() -> None:
    escalation = CaseEscalated(from_unit=POLICE, to_unit=PROVINCIAL, level=1, reason="unanswered")
    commands = await Commands.assigned(rivals=[escalation])
    with pytest.raises(NotYoursError):
        await commands.use_case.handle(commands.case_id, Acknowledge(), UNIT)
    types = [event.type for event in await commands.store.read_stream(commands.case_id)]
    assert types == ["ComplaintFiled", "CaseAssigned", "CaseEscalated"]


async def test_a_case_that_moves_under_every_decision_is_contended() -> None:
    commands = await Commands.assigned(rivals=[BREACH] * MAX_ATTEMPTS)
    with pytest.raises(ContendedError):
        await commands.use_case.handle(commands.case_id, Acknowledge(), UNIT)
    assert commands.conflicts.counted == MAX_ATTEMPTS
    assert commands.outcomes("acknowledge", "contended") == 1
    assert "CaseAcknowledged" not in {e.type for e in await commands.store.read_stream(commands.case_id)}
