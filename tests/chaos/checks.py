"""What a chaos run got wrong, decided from what the event store and the SMS gateway hold.

Pure: the run reads the ``events`` table, the gateway's ``GET /messages`` and the dead-letter topics,
and this module says what is lost, what is stored twice and what should not be there at all. A run has
settled once nothing is missing any more; duplicates and wrong events never go away by waiting.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

DECISIONS = frozenset({"CaseAssigned", "CaseNeedsTriage"})
OUTCOMES = frozenset({"CitizenNotified", "CitizenNotificationFailed"})
# What notify texts the citizen about (docs/contract.md §SMS out): each must end in one outcome event.
CITIZEN_FACING = frozenset(
    {
        "ComplaintFiled",
        "CaseAssigned",
        "CaseInfoRequested",
        "CaseEscalated",
        "CaseResolved",
        "VerdictRecorded",
    }
)
SHOWN_PROBLEMS = 25


@dataclass(frozen=True)
class Complaint:
    """One complaint the run submitted, and the citizen's phone as the gateway sees it (E.164)."""

    message_id: str
    phone: str


@dataclass(frozen=True)
class StoredEvent:
    event_id: UUID
    case_id: UUID
    type: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Sms:
    sid: str
    to: str
    body: str


@dataclass
class Findings:
    """Counts of everything the issue asks about, and the first problems in words."""

    complaints: int = 0
    cases: int = 0
    acknowledged: int = 0
    unanswered: int = 0
    events: int = 0
    lost_complaints: int = 0
    missing_events: int = 0
    duplicate_events: int = 0
    wrong_events: int = 0
    sms: int = 0
    missing_receipts: int = 0
    duplicate_receipts: int = 0
    duplicate_sms: int = 0
    dead_letters: int = 0
    planted_dead_letters: int = 0  # the submissions fed to be refused: expected, not counted above
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0

    @property
    def lost(self) -> int:
        """Complaints never filed, expected events never stored, receipts never sent."""
        return self.lost_complaints + self.missing_events + self.missing_receipts

    @property
    def settled(self) -> bool:
        """Nothing is missing any more: waiting longer cannot change the verdict."""
        return self.lost == 0

    @property
    def clean(self) -> bool:
        """What the issue demands; duplicate SMS are counted and reported, not part of it."""
        return self.lost == self.duplicate_events == self.wrong_events == self.dead_letters == 0

    def note(self, problem: str) -> None:
        self.problem_count += 1
        if len(self.problems) < SHOWN_PROBLEMS:
            self.problems.append(problem)

    def as_json(self) -> dict[str, object]:
        counts = {name: value for name, value in vars(self).items() if isinstance(value, int)}
        return {**counts, "lost": self.lost, "clean": self.clean, "problems": self.problems}


def examine(
    complaints: Sequence[Complaint],
    events: Iterable[StoredEvent],
    messages: Iterable[Sms],
    dead_letters: Mapping[str, Sequence[str | None]],
    *,
    top_level: int,
    planted: Collection[str] = (),
) -> Findings:
    """Check every complaint against the issue: one filing, one routing decision, for a case left
    unanswered one acknowledgement breach at every level and one escalation to every level above 0 up
    to ``top_level`` (none at all for an acknowledged case), one outcome per citizen-facing event, one
    receipt SMS, and no dead letter anywhere but those of the submissions ``planted`` to be refused.
    ``dead_letters`` holds the key of every letter, by topic."""
    found = Findings(complaints=len(complaints))
    streams: dict[UUID, list[StoredEvent]] = defaultdict(list)
    for event in events:
        streams[event.case_id].append(event)
        found.events += 1
    found.cases = len(streams)
    filings = _filings(streams, complaints, found)
    _check_cases(streams, top_level, found)
    _check_outcomes(streams, found)
    _check_sms(complaints, filings, list(messages), streams, found)
    for topic, keys in sorted(dead_letters.items()):
        found.planted_dead_letters += sum(1 for key in keys if key in planted)
        if count := sum(1 for key in keys if key not in planted):
            found.dead_letters += count
            found.note(f"{count} dead letters in {topic}")
    return found


def _filings(
    streams: Mapping[UUID, list[StoredEvent]], complaints: Sequence[Complaint], found: Findings
) -> dict[str, StoredEvent]:
    """The first ``ComplaintFiled`` of each submitted message id; lost, repeated and stray ones noted."""
    by_message: dict[str, list[StoredEvent]] = defaultdict(list)
    for stream in streams.values():
        for event in stream:
            if event.type == "ComplaintFiled":
                by_message[str(event.data["channel_message_id"])].append(event)
    submitted = {complaint.message_id for complaint in complaints}
    for message_id, filed in by_message.items():
        if message_id not in submitted:
            found.wrong_events += len(filed)
            found.note(f"{message_id}: filed but never submitted")
        elif len(filed) > 1:
            found.duplicate_events += len(filed) - 1
            found.note(f"{message_id}: filed {len(filed)} times")
    for message_id in sorted(submitted - by_message.keys()):
        found.lost_complaints += 1
        found.note(f"{message_id}: submitted, never filed")
    return {message_id: filed[0] for message_id, filed in by_message.items()}


def _check_cases(streams: Mapping[UUID, list[StoredEvent]], top_level: int, found: Findings) -> None:
    for case_id, stream in streams.items():
        types = Counter(event.type for event in stream)
        _expect_once(found, case_id, "routing decision", sum(types[t] for t in DECISIONS))
        if types["CaseAcknowledged"] > 1:
            found.duplicate_events += types["CaseAcknowledged"] - 1
            found.note(f"{case_id}: acknowledged {types['CaseAcknowledged']} times")
        escalations = Counter(int(e.data["level"]) for e in stream if e.type == "CaseEscalated")
        breaches = Counter(
            (str(e.data["clock"]), int(e.data["level"])) for e in stream if e.type == "SlaBreached"
        )
        if types["CaseAcknowledged"]:
            found.acknowledged += 1
            _forbid(found, case_id, "escalations although acknowledged", escalations.total())
            _forbid(found, case_id, "breaches although acknowledged", breaches.total())
            continue
        found.unanswered += 1
        for level in range(1, top_level + 1):
            _expect_once(found, case_id, f"escalation to level {level}", escalations.pop(level, 0))
        for level in range(top_level + 1):
            _expect_once(
                found, case_id, f"breach at level {level}", breaches.pop(("acknowledgement", level), 0)
            )
        _forbid(found, case_id, f"escalations to other levels {dict(escalations)}", escalations.total())
        _forbid(found, case_id, f"other breaches {dict(breaches)}", breaches.total())


def _check_outcomes(streams: Mapping[UUID, list[StoredEvent]], found: Findings) -> None:
    """Every citizen-facing event ends in one ``CitizenNotified`` (a failure is wrong: the gateway works)."""
    for case_id, stream in streams.items():
        outcomes = Counter(str(e.data["about_event_id"]) for e in stream if e.type in OUTCOMES)
        for event in stream:
            if event.type in CITIZEN_FACING:
                what = f"notification outcome of {event.type}"
                _expect_once(found, case_id, what, outcomes[str(event.event_id)])
        failed = sum(1 for event in stream if event.type == "CitizenNotificationFailed")
        _forbid(found, case_id, "failed notifications", failed)


def _check_sms(
    complaints: Sequence[Complaint],
    filings: Mapping[str, StoredEvent],
    messages: list[Sms],
    streams: Mapping[UUID, list[StoredEvent]],
    found: Findings,
) -> None:
    """One receipt per filed complaint at its citizen's phone; the same text twice is a duplicate SMS."""
    found.sms = len(messages)
    bodies_by_phone: dict[str, list[str]] = defaultdict(list)
    for message in messages:
        bodies_by_phone[message.to].append(message.body)
    for complaint in complaints:
        filed = filings.get(complaint.message_id)
        if filed is None:
            continue  # already counted as lost
        receipt = f"STATUS {filed.data['reference']}"
        receipts = sum(1 for body in bodies_by_phone[complaint.phone] if receipt in body)
        if receipts == 0:
            found.missing_receipts += 1
            found.note(f"{complaint.message_id}: no receipt SMS at {complaint.phone}")
        elif receipts > 1:
            found.duplicate_receipts += receipts - 1
            found.note(f"{complaint.message_id}: {receipts} receipt SMS")
    found.duplicate_sms = sum(n - 1 for n in Counter((m.to, m.body) for m in messages).values())
    sids = {message.sid for message in messages}
    for case_id, stream in streams.items():
        for event in stream:
            if event.type == "CitizenNotified" and event.data.get("provider_message_id") not in sids:
                found.wrong_events += 1
                found.note(f"{case_id}: CitizenNotified for an SMS the gateway never received")


def _expect_once(found: Findings, case_id: UUID, what: str, count: int) -> None:
    if count == 0:
        found.missing_events += 1
        found.note(f"{case_id}: no {what}")
    elif count > 1:
        found.duplicate_events += count - 1
        found.note(f"{case_id}: {count} of {what}")


def _forbid(found: Findings, case_id: UUID, what: str, count: int) -> None:
    if count:
        found.wrong_events += count
        found.note(f"{case_id}: {count} {what}")
