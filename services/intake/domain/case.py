"""A case's state folded from its events, following docs/architecture.md §Case lifecycle.

``evolve(state, event)`` is pure and total: events that do not change the status (notifications, SLA
breaches) only move the version. The command handler decides on it, and the case status projection
keeps it as its rows, so both read a case the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal, TypeVar
from uuid import UUID

from shared.events import Envelope, payload_of
from shared.events.types import (
    CaseAssigned,
    CaseEscalated,
    CaseNeedsTriage,
    ComplaintFiled,
    ResolvedLocation,
    Subject,
    UnitRef,
    VerdictRecorded,
)

Status = Literal[
    "filed", "needs_triage", "assigned", "acknowledged", "awaiting_citizen", "refused", "resolved"
]
# The statuses in which a case waits on the unit that holds it (its inbox).
OPEN_FOR_UNIT: tuple[Status, ...] = ("assigned", "acknowledged", "awaiting_citizen")
# Events that move a case along its lifecycle: the public timeline lists these.
LIFECYCLE_EVENTS: frozenset[str] = frozenset(
    {"ComplaintFiled", "CaseNeedsTriage", "CaseAssigned", "CaseAcknowledged", "CaseInfoRequested",
     "CitizenReplied", "CaseRefused", "CaseEscalated", "CaseResolved", "VerdictRecorded"}
)  # fmt: skip
S = TypeVar("S", bound=str)
_ENTERS: dict[str, Status] = {
    "ComplaintFiled": "filed",
    "CaseNeedsTriage": "needs_triage",
    "CaseAssigned": "assigned",
    "CaseEscalated": "assigned",
    "CaseAcknowledged": "acknowledged",
    "CaseInfoRequested": "awaiting_citizen",
    "CaseRefused": "refused",
    "CaseResolved": "resolved",
}


def status_after(status: S, event_type: str) -> S | Status:
    """The status a case in ``status`` has after an event of ``event_type``
    (docs/architecture.md §Case lifecycle); events that move no case along it (notifications, SLA breaches,
    verdicts) leave ``status`` as it is."""
    if event_type == "CitizenReplied":
        # A reply resumes a case that waited on the citizen; at any other time it changes nothing.
        return "acknowledged" if status == "awaiting_citizen" else status
    return _ENTERS.get(event_type, status)


@dataclass(frozen=True, slots=True)
class CaseState:
    """What intake knows of a case. ``unit`` and ``level`` are those of the unit holding it now."""

    case_id: UUID
    version: int
    reference: str
    channel: str
    status: Status
    category: str | None
    location: ResolvedLocation
    subject: Subject
    confidential: bool
    anonymous: bool
    citizen_id: UUID | None
    language: str
    text: str
    filed_at: datetime
    updated_at: datetime
    level: int | None = None
    unit: UnitRef | None = None
    verdict: str | None = None


def filed(event: Envelope) -> CaseState:
    """The state a ``ComplaintFiled`` starts."""
    data = payload_of(event, ComplaintFiled)
    return CaseState(
        case_id=event.case_id, version=event.version, reference=data.reference, channel=data.channel,
        status="filed", category=data.category, location=data.location, subject=data.subject,
        confidential=data.confidential, anonymous=data.citizen.anonymous, citizen_id=data.citizen.citizen_id,
        language=data.citizen.language, text=data.text, filed_at=event.occurred_at,
        updated_at=event.occurred_at,
    )  # fmt: skip


def evolve(state: CaseState | None, event: Envelope) -> CaseState | None:  # noqa: PLR0911 (one per kind)
    """The state after ``event``; None while the case has not been filed (nothing to evolve yet)."""
    if event.type == "ComplaintFiled":
        return filed(event) if state is None else replace(state, version=event.version)
    if state is None:
        return None
    moved = replace(state, version=event.version, updated_at=max(state.updated_at, event.occurred_at))
    data = payload_of(event)
    if isinstance(data, CaseAssigned):
        return replace(moved, status="assigned", unit=data.unit, level=data.level)
    if isinstance(data, CaseEscalated):
        return replace(moved, status="assigned", unit=data.to_unit, level=data.level)
    if isinstance(data, CaseNeedsTriage):
        return replace(moved, status="needs_triage", unit=None, level=None)
    if isinstance(data, VerdictRecorded):
        return replace(moved, verdict=data.verdict)
    return replace(moved, status=status_after(state.status, event.type))


def fold(events: Iterable[Envelope]) -> CaseState | None:
    """The state of a case from its whole stream, in version order."""
    state: CaseState | None = None
    for event in events:
        state = evolve(state, event)
    return state
