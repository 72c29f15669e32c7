"""The case lifecycle (docs/architecture.md §Case lifecycle).

``evolve`` folds events, ``decide`` allows what the status allows.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.intake.domain.case import CaseState, evolve, fold
from services.intake.domain.commands import (
    Acknowledge,
    Assign,
    Command,
    NotNowError,
    NotYoursError,
    RecordVerdict,
    Refuse,
    RequestInfo,
    Resolve,
    Responder,
    decide,
)
from shared.events import Actor, Envelope, EventData
from shared.events.types import (
    CaseAcknowledged,
    CaseAssigned,
    CaseEscalated,
    CaseInfoRequested,
    CaseNeedsTriage,
    CaseRefused,
    CaseResolved,
    CitizenNotified,
    CitizenRef,
    CitizenReplied,
    ComplaintFiled,
    ResolvedLocation,
    SlaBreached,
    UnitRef,
    VerdictRecorded,
)

pytestmark = pytest.mark.unit
AT = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
POLICE = UnitRef(id="police:1203", kind="police", name="Prampir Meakkakra police", province="KH-12")
PROVINCIAL = UnitRef(id="provincial-police:KH-12", kind="provincial_police", name="PP", province="KH-12")
GROUP = UnitRef(id="moi-working-group", kind="working_group", name="MoI working group")
UNIT = Responder(unit_id="police:1203")
OTHER_UNIT = Responder(unit_id="police:1204")
WORKING_GROUP = Responder(unit_id=None, working_group=True)
CASE = uuid.uuid4()


def filing() -> ComplaintFiled:
    return ComplaintFiled(
        reference="ABCDEFGH",
        channel="web",
        channel_message_id="m",
        text="help",
        citizen=CitizenRef(citizen_id=uuid.uuid4()),
        location=ResolvedLocation(province="KH-12"),
        category="theft",
        confidential=False,
    )


def stream(*payloads: EventData) -> list[Envelope]:
    events = []
    for version, data in enumerate((filing(), *payloads), 1):
        events.append(
            Envelope(
                event_id=uuid.uuid4(),
                type=data.type_name(),
                schema_version=1,
                case_id=CASE,
                version=version,
                occurred_at=AT + timedelta(minutes=version),
                producer="test",
                actor=Actor(kind="system", id="test"),
                data=data.model_dump(mode="json"),
            )
        )
    return events


def state(*payloads: EventData) -> CaseState:
    folded = fold(stream(*payloads))
    assert folded is not None
    return folded


ASSIGNED: tuple[EventData, ...] = (CaseAssigned(unit=POLICE, level=0, rule="r", reason="r"),)
ACKNOWLEDGED = (*ASSIGNED, CaseAcknowledged(unit_id=POLICE.id))
AWAITING = (*ACKNOWLEDGED, CaseInfoRequested(unit_id=POLICE.id, question="Which day?"))
REFUSED = (*ASSIGNED, CaseRefused(unit_id=POLICE.id))
RESOLVED = (*ACKNOWLEDGED, CaseResolved(unit_id=POLICE.id))
TRIAGE = (CaseNeedsTriage(reason="no place"),)
AT_GROUP = (*ASSIGNED, CaseEscalated(from_unit=PROVINCIAL, to_unit=GROUP, level=2, reason="unanswered"))


@pytest.mark.parametrize(
    ("events", "status"),
    [
        ((), "filed"),
        (TRIAGE, "needs_triage"),
        (ASSIGNED, "assigned"),
        (ACKNOWLEDGED, "acknowledged"),
        (AWAITING, "awaiting_citizen"),
        ((*AWAITING, CitizenReplied(text="Monday")), "acknowledged"),
        (REFUSED, "refused"),
        (RESOLVED, "resolved"),
        (AT_GROUP, "assigned"),
        ((*ASSIGNED, CitizenReplied(text="more")), "assigned"),
    ],
)
def test_each_event_moves_the_case_to_its_status(events: tuple[EventData, ...], status: str) -> None:
    assert state(*events).status == status


def test_notifications_breaches_and_verdicts_leave_the_status_as_it_is() -> None:
    notified = CitizenNotified(about_event_id=uuid.uuid4(), channel="sms", provider_message_id="SM1")
    breach = SlaBreached(clock="acknowledgement", due_at=AT, unit_id=POLICE.id, level=0)
    after = state(*ASSIGNED, notified, breach, VerdictRecorded(verdict="substantiated"))
    assert (after.status, after.version, after.verdict) == ("assigned", 5, "substantiated")


def test_an_escalation_hands_the_case_to_the_next_unit() -> None:
    after = state(*AT_GROUP)
    assert (after.unit, after.level) == (GROUP, 2)


def test_events_before_the_filing_evolve_nothing() -> None:
    (assigned,) = stream(*ASSIGNED)[1:]
    assert evolve(None, assigned) is None


@pytest.mark.parametrize(
    ("events", "command", "expected"),
    [
        (ASSIGNED, Acknowledge(note="on it"), CaseAcknowledged(unit_id=POLICE.id, note="on it")),
        (ASSIGNED, Refuse(note="not ours"), CaseRefused(unit_id=POLICE.id, note="not ours")),
        (ACKNOWLEDGED, Resolve(note="done"), CaseResolved(unit_id=POLICE.id, note="done")),
        (AWAITING, Resolve(note="no reply"), CaseResolved(unit_id=POLICE.id, note="no reply")),
        (ACKNOWLEDGED, RequestInfo(question="When?"), CaseInfoRequested(unit_id=POLICE.id, question="When?")),
    ],
)
def test_the_unit_holding_the_case_answers_it(
    events: tuple[EventData, ...], command: Command, expected: EventData
) -> None:
    assert decide(state(*events), command, UNIT) == expected


@pytest.mark.parametrize(
    ("events", "command"),
    [
        (RESOLVED, Resolve()),
        (ASSIGNED, Resolve()),
        (ACKNOWLEDGED, Acknowledge()),
        (RESOLVED, Acknowledge()),
        (ACKNOWLEDGED, Refuse()),
        (REFUSED, Refuse()),
        (ASSIGNED, RequestInfo("?")),
        (AWAITING, RequestInfo("?")),
    ],
)
def test_a_command_the_status_forbids_is_refused_as_a_conflict(
    events: tuple[EventData, ...], command: Command
) -> None:
    with pytest.raises(NotNowError):
        decide(state(*events), command, UNIT)


@pytest.mark.parametrize("responder", [OTHER_UNIT, Responder(unit_id=None), WORKING_GROUP])
@pytest.mark.parametrize("events", [ASSIGNED, TRIAGE, ()])
def test_only_the_unit_holding_the_case_now_may_answer_it(
    responder: Responder, events: tuple[EventData, ...]
) -> None:
    with pytest.raises(NotYoursError):
        decide(state(*events), Acknowledge(), responder)


def test_a_unit_that_escalated_away_may_no_longer_answer() -> None:
    escalated = (*ASSIGNED, CaseEscalated(from_unit=POLICE, to_unit=PROVINCIAL, level=1, reason="unanswered"))
    with pytest.raises(NotYoursError):
        decide(state(*escalated), Acknowledge(), UNIT)
    assert decide(state(*escalated), Acknowledge(), Responder("provincial-police:KH-12")) == CaseAcknowledged(
        unit_id=PROVINCIAL.id
    )


def test_the_working_group_answers_cases_it_holds() -> None:
    assert decide(state(*AT_GROUP), Acknowledge(), WORKING_GROUP) == CaseAcknowledged(unit_id=GROUP.id)


@pytest.mark.parametrize("events", [(), TRIAGE, ASSIGNED, RESOLVED, AWAITING])
def test_the_working_group_records_a_verdict_at_any_status(events: tuple[EventData, ...]) -> None:
    verdict = RecordVerdict(verdict="false_report", note="checked")
    recorded = VerdictRecorded(verdict="false_report", note="checked")
    assert decide(state(*events), verdict, WORKING_GROUP) == recorded
    with pytest.raises(NotYoursError):
        decide(state(*events), verdict, UNIT)


@pytest.mark.parametrize(
    "events",
    [
        TRIAGE,
        AT_GROUP,
        (*AT_GROUP, CaseAcknowledged(unit_id=GROUP.id)),
        ASSIGNED,
        ACKNOWLEDGED,
        AWAITING,
        REFUSED,
    ],
)
def test_the_working_group_assigns_a_case_at_any_level(events: tuple[EventData, ...]) -> None:
    assign = Assign(unit=POLICE, level=0, reason="it is theirs")
    decided = decide(state(*events), assign, WORKING_GROUP)
    assert decided == CaseAssigned(unit=POLICE, level=0, rule="working-group/assign", reason="it is theirs")
    with pytest.raises(NotYoursError):
        decide(state(*events), assign, UNIT)


@pytest.mark.parametrize("events", [(), RESOLVED, (*AT_GROUP, CaseResolved(unit_id=GROUP.id))])
def test_the_working_group_leaves_unrouted_and_resolved_cases(events: tuple[EventData, ...]) -> None:
    with pytest.raises(NotNowError):
        decide(state(*events), Assign(unit=POLICE, level=0, reason="r"), WORKING_GROUP)


_PAYLOADS: list[Any] = [
    *ASSIGNED, CaseAcknowledged(unit_id=POLICE.id), CaseInfoRequested(unit_id=POLICE.id, question="?"),
    CitizenReplied(text="ok"), CaseResolved(unit_id=POLICE.id), CaseRefused(unit_id=POLICE.id),
    CaseNeedsTriage(reason="r"), VerdictRecorded(verdict="undetermined"),
    CaseEscalated(from_unit=POLICE, to_unit=PROVINCIAL, level=1, reason="refused"),
]  # fmt: skip


@given(st.lists(st.sampled_from(_PAYLOADS), max_size=12))
def test_folding_a_stream_in_two_parts_equals_folding_it_whole(payloads: list[EventData]) -> None:
    events = stream(*payloads)
    half = len(events) // 2
    assert fold(events) == _fold_from(fold(events[:half]), events[half:])
    folded = fold(events)
    assert folded is not None
    assert folded.version == len(events)


def _fold_from(start: CaseState | None, events: list[Envelope]) -> CaseState | None:
    current = start
    for event in events:
        current = evolve(current, event)
    return current
