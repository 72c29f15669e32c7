"""The tool's fold of a case stream: status, holder, journey, and the SMS still owed to the citizen."""

from __future__ import annotations

import uuid

import pytest

from cli.case_view import CaseView
from services.intake.domain.case import fold
from shared.events import (
    CaseAcknowledged,
    CaseEscalated,
    CaseInfoRequested,
    CaseRefused,
    CaseResolved,
    CitizenNotificationFailed,
    CitizenNotified,
    CitizenReplied,
    EventData,
    VerdictRecorded,
)
from shared.testing.events import complaint_filed
from tests.unit.cli.stream import CASE, POLICE_1203, PROVINCIAL, WORKING_GROUP, assigned, stream

pytestmark = pytest.mark.unit


def test_a_refused_case_escalated_and_resolved_tells_its_journey() -> None:
    events = stream(
        complaint_filed(citizen_id=uuid.uuid4()),
        assigned(),
        CaseRefused(unit_id="police:1203", note="not ours"),
        CaseEscalated(from_unit=POLICE_1203, to_unit=PROVINCIAL, level=1, reason="refused"),
        CaseAcknowledged(unit_id=PROVINCIAL.id),
        CaseResolved(unit_id=PROVINCIAL.id),
    )
    view = CaseView.of(CASE, events)
    assert (view.reference, view.status, view.unit_id, view.level) == (
        "KH7F3K9Q", "resolved", PROVINCIAL.id, 1,
    )  # fmt: skip
    assert view.journey == (
        "filed -> assigned police:1203 -> refused -> escalated (refused) provincial-police:KH-12"
        " -> acknowledged -> resolved"
    )


def test_sms_are_owed_for_citizen_facing_events_until_notify_records_an_outcome() -> None:
    filing = complaint_filed(citizen_id=uuid.uuid4())
    judged = VerdictRecorded(verdict="substantiated")
    filed, routed, verdict = stream(filing, assigned(WORKING_GROUP, 2), judged)
    owed = CaseView.of(CASE, [filed, routed, verdict])
    assert owed.awaiting_sms == {filed.event_id, routed.event_id, verdict.event_id}
    assert owed.verdict == "substantiated"

    outcomes = stream(
        CitizenNotified(about_event_id=filed.event_id, channel="sms", provider_message_id="SM1"),
        CitizenNotificationFailed(about_event_id=routed.event_id, channel="sms", reason="21610", attempts=1),
    )
    view = CaseView.of(CASE, [filed, routed, verdict, *outcomes])
    assert view.sms_sent == 1
    assert view.awaiting_sms == {verdict.event_id}


def test_an_anonymous_citizen_is_owed_no_sms() -> None:
    view = CaseView.of(CASE, stream(complaint_filed(citizen_id=None), assigned()))
    assert view.anonymous
    assert view.awaiting_sms == frozenset()
    assert view.status == "assigned"


ASK = CaseInfoRequested(unit_id="police:1203", question="Which day was it?")
REPLY = CitizenReplied(text="ថ្ងៃច័ន្ទ")


@pytest.mark.parametrize(
    ("after_filing", "status"),
    [
        ((assigned(), REPLY), "assigned"),  # a reply nobody asked for resumes nothing
        ((assigned(), CaseAcknowledged(unit_id="police:1203"), ASK), "awaiting_citizen"),
        ((assigned(), CaseAcknowledged(unit_id="police:1203"), ASK, REPLY), "acknowledged"),
        ((assigned(), CaseRefused(unit_id="police:1203", note="not ours"), REPLY), "refused"),
        ((assigned(), CaseResolved(unit_id="police:1203"), REPLY), "resolved"),
    ],
)
def test_the_tool_reads_a_status_as_intake_does(after_filing: tuple[EventData, ...], status: str) -> None:
    events = stream(complaint_filed(citizen_id=uuid.uuid4()), *after_filing)
    intake = fold(events)
    assert intake is not None
    assert (CaseView.of(CASE, events).status, intake.status) == (status, status)


def test_a_reply_to_a_question_shows_in_the_journey_once_it_resumes_the_case() -> None:
    acknowledged = (assigned(), CaseAcknowledged(unit_id="police:1203"))
    events = stream(complaint_filed(citizen_id=uuid.uuid4()), *acknowledged, REPLY, ASK, REPLY)
    assert CaseView.of(CASE, events).journey == (
        "filed -> assigned police:1203 -> acknowledged -> awaiting citizen -> acknowledged"
    )
