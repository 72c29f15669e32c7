"""The chaos run's verdict: what a healthy run leaves passes, and each kind of damage is counted."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import pytest

from tests.chaos.checks import Complaint, Sms, StoredEvent, examine

pytestmark = pytest.mark.unit

TOP = 2


class Run:
    """What a healthy run stores and sends for each complaint; tests then damage it."""

    def __init__(self) -> None:
        self.complaints: list[Complaint] = []
        self.events: list[StoredEvent] = []
        self.sms: list[Sms] = []

    def case(self, n: int, *, acknowledged: bool) -> uuid.UUID:
        complaint = Complaint(message_id=f"m-{n}", phone=f"+85512100{n:03d}")
        self.complaints.append(complaint)
        case_id, reference = uuid.uuid4(), f"REF{n:05d}"
        filed = self.add(
            case_id, "ComplaintFiled", {"channel_message_id": complaint.message_id, "reference": reference}
        )
        assigned = self.add(case_id, "CaseAssigned", {"level": 0})
        told = [filed, assigned]
        if acknowledged:
            self.add(case_id, "CaseAcknowledged", {})
        else:
            for level in range(TOP + 1):
                self.add(case_id, "SlaBreached", {"clock": "acknowledgement", "level": level})
                if level < TOP:
                    told.append(self.add(case_id, "CaseEscalated", {"level": level + 1}))
        for event in told:
            self.notify(case_id, event, complaint.phone, reference)
        return case_id

    def notify(self, case_id: uuid.UUID, event: StoredEvent, phone: str, reference: str) -> None:
        sid = f"SM{uuid.uuid4().hex}"
        body = (
            f"reply STATUS {reference}"
            if event.type == "ComplaintFiled"
            else f"{event.type} {event.data} {reference}"
        )
        self.sms.append(Sms(sid, phone, body))
        self.add(
            case_id, "CitizenNotified", {"about_event_id": str(event.event_id), "provider_message_id": sid}
        )

    def add(self, case_id: uuid.UUID, type_: str, data: dict[str, Any]) -> StoredEvent:
        event = StoredEvent(uuid.uuid4(), case_id, type_, data)
        self.events.append(event)
        return event

    def examine(
        self, dead_letters: dict[str, list[str | None]] | None = None, planted: frozenset[str] = frozenset()
    ) -> Any:
        return examine(
            self.complaints, self.events, self.sms, dead_letters or {}, top_level=TOP, planted=planted
        )


@pytest.fixture
def run() -> Run:
    healthy = Run()
    for n in range(6):
        healthy.case(n, acknowledged=n % 3 == 0)
    return healthy


def test_a_healthy_run_is_clean_and_settled(run: Run) -> None:
    found = run.examine({"t.routing.dlq": []})
    assert found.clean
    assert found.settled
    assert (found.complaints, found.acknowledged, found.unanswered) == (6, 2, 4)
    assert found.problems == []


def test_a_complaint_never_filed_is_lost_and_the_run_not_settled(run: Run) -> None:
    run.complaints.append(Complaint("m-never", "+85512199999"))
    found = run.examine()
    assert (found.lost_complaints, found.lost) == (1, 1)
    assert not found.settled
    assert found.problems == ["m-never: submitted, never filed"]


def test_an_event_stored_twice_is_a_duplicate(run: Run) -> None:
    escalation = next(e for e in run.events if e.type == "CaseEscalated")
    run.events.append(replace(escalation, event_id=uuid.uuid4()))
    filing = run.events[0]
    run.events.append(replace(filing, event_id=uuid.uuid4(), case_id=uuid.uuid4()))
    found = run.examine()
    assert found.duplicate_events == 2
    assert not found.clean
    assert "m-0: filed 2 times" in found.problems


def test_an_unanswered_case_must_climb_every_level_and_breach_at_each(run: Run) -> None:
    top = next(e for e in run.events if e.type == "CaseEscalated" and e.data["level"] == TOP)
    run.events = [e for e in run.events if e.event_id != top.event_id]
    found = run.examine()
    assert found.missing_events == 1
    assert f"{top.case_id}: no escalation to level {TOP}" in found.problems
    assert not found.settled


def test_an_acknowledged_case_must_not_escalate(run: Run) -> None:
    case_id = next(e.case_id for e in run.events if e.type == "CaseAcknowledged")
    run.add(case_id, "CaseEscalated", {"level": 1})
    found = run.examine()
    assert found.wrong_events == 1
    # Its notification is missing too: the escalation is citizen-facing.
    assert found.missing_events == 1


def test_two_routing_decisions_are_a_duplicate_and_none_is_missing(run: Run) -> None:
    first, second = _two_cases(run)
    run.add(first, "CaseNeedsTriage", {})
    run.events = [e for e in run.events if not (e.case_id == second and e.type == "CaseAssigned")]
    found = run.examine()
    assert found.duplicate_events == 1
    assert found.missing_events == 1


def test_receipts_missing_or_sent_twice_are_counted_and_other_repeated_texts_too(run: Run) -> None:
    receipts = [m for m in run.sms if "STATUS" in m.body]
    run.sms.remove(receipts[0])
    run.sms.append(replace(receipts[1], sid="SM-again"))
    other = next(m for m in run.sms if "STATUS" not in m.body)
    run.sms.append(replace(other, sid="SM-other-again"))
    found = run.examine()
    assert (found.missing_receipts, found.duplicate_receipts, found.duplicate_sms) == (1, 1, 2)
    # The dropped receipt's CitizenNotified names an SMS the gateway never received.
    assert found.wrong_events == 1
    assert not found.settled


def test_a_failed_notification_and_a_dead_letter_are_wrong(run: Run) -> None:
    notified = next(e for e in run.events if e.type == "CitizenNotified")
    run.events.remove(notified)
    run.events.append(replace(notified, type="CitizenNotificationFailed"))
    found = run.examine({"t.complaints.submissions.dlq": ["m-1", None], "t.sla.dlq": []})
    assert found.wrong_events == 1
    assert found.dead_letters == 2
    assert "2 dead letters in t.complaints.submissions.dlq" in found.problems
    assert not found.clean


def test_only_the_first_problems_are_spelled_out() -> None:
    many = Run()
    many.complaints = [Complaint(f"m-{n}", "+85512100000") for n in range(40)]
    found = many.examine()
    assert found.problem_count == 40
    assert len(found.problems) == 25
    assert found.as_json()["lost"] == 40


def _two_cases(run: Run) -> tuple[uuid.UUID, uuid.UUID]:
    first, second, *_ = dict.fromkeys(e.case_id for e in run.events)
    return first, second


def test_dead_letters_of_planted_submissions_are_counted_apart(run: Run) -> None:
    letters: dict[str, list[str | None]] = {"t.complaints.submissions.dlq": ["bad-1", "bad-2", "m-1"]}
    found = run.examine(letters, planted=frozenset({"bad-1", "bad-2", "bad-3"}))
    assert (found.planted_dead_letters, found.dead_letters) == (2, 1)
    assert not found.clean
    found = run.examine({"t.complaints.submissions.dlq": ["bad-1"]}, planted=frozenset({"bad-1"}))
    assert (found.planted_dead_letters, found.dead_letters) == (1, 0)
    assert found.clean
