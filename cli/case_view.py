"""A case as its events tell it: status, holder, level, verdict and the milestones of its journey.

A pure fold over a case stream (``CaseView.of(events)``), so the demo decides and reports on exactly
what the event store holds, and tests can check it without servers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from uuid import UUID

from services.intake.domain.case import LIFECYCLE_EVENTS, status_after
from shared.events import (
    CaseAssigned,
    CaseEscalated,
    CitizenNotificationFailed,
    CitizenNotified,
    ComplaintFiled,
    Envelope,
    VerdictRecorded,
    payload_of,
)

# The events a citizen is texted about (docs/contract.md §SMS out), unless anonymous.
CITIZEN_NOTIFIED = frozenset(
    {"ComplaintFiled", "CaseAssigned", "CaseInfoRequested", "CaseEscalated", "CaseResolved",
     "VerdictRecorded"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class CaseView:
    case_id: UUID
    reference: str = ""
    status: str = "new"
    unit_id: str | None = None
    level: int | None = None
    verdict: str | None = None
    anonymous: bool = False
    milestones: tuple[str, ...] = ()
    sms_sent: int = 0
    # Events the citizen should be texted about that have no notify outcome yet.
    awaiting_sms: frozenset[UUID] = frozenset()

    @classmethod
    def of(cls, case_id: UUID, events: Iterable[Envelope]) -> CaseView:
        view = cls(case_id)
        for envelope in events:
            view = view.evolve(envelope)
        return view

    @property
    def journey(self) -> str:
        return " -> ".join(self.milestones)

    def evolve(self, envelope: Envelope) -> CaseView:  # noqa: PLR0911 (one per kind)
        view = replace(self, status=status_after(self.status, envelope.type))
        if envelope.type in CITIZEN_NOTIFIED and not view.anonymous:
            view = replace(view, awaiting_sms=view.awaiting_sms | {envelope.event_id})
        data = payload_of(envelope)
        match data:
            case ComplaintFiled(reference=reference, citizen=citizen):
                anonymous = citizen.anonymous or citizen.citizen_id is None
                return replace(view, reference=reference, anonymous=anonymous, milestones=("filed",),
                               awaiting_sms=frozenset() if anonymous else view.awaiting_sms)  # fmt: skip
            case CaseAssigned(unit=unit, level=level):
                return view.reached(f"assigned {unit.id}", unit.id, level)
            case CaseEscalated(to_unit=unit, level=level, reason=reason):
                return view.reached(f"escalated ({reason}) {unit.id}", unit.id, level)
            case VerdictRecorded(verdict=verdict):
                return replace(view, verdict=verdict, milestones=(*view.milestones, f"verdict {verdict}"))
            case CitizenNotified(about_event_id=about):
                return replace(view, sms_sent=view.sms_sent + 1, awaiting_sms=view.awaiting_sms - {about})
            case CitizenNotificationFailed(about_event_id=about):
                return replace(view, awaiting_sms=view.awaiting_sms - {about})
        if envelope.type in LIFECYCLE_EVENTS and view.status != self.status:
            return replace(view, milestones=(*view.milestones, view.status.replace("_", " ")))
        return view

    def reached(self, milestone: str, unit_id: str, level: int) -> CaseView:
        return replace(self, unit_id=unit_id, level=level, milestones=(*self.milestones, milestone))
