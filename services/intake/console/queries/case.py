"""The case page's read: the case's stream from the event store (the record, so the page shows an action
the moment it is stored, ahead of the projection), the citizen's contact from the vault unless they are
anonymous, and the running SLA clock."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.intake.domain.case import CaseState, fold
from services.intake.sla_deadlines import RunningClock, SlaDeadlines
from services.intake.vault import PersonalDataVault
from shared.contacts import CitizenContact
from shared.events import Envelope
from shared.eventstore import EventStore, HasPool


@dataclass(frozen=True, slots=True)
class CaseRecord:
    state: CaseState
    events: list[Envelope]
    contact: CitizenContact | None
    clock: RunningClock | None


class CaseQuery:
    def __init__(self, store: EventStore, database: HasPool, deadlines: SlaDeadlines) -> None:
        self._store = store
        self._database = database
        self._deadlines = deadlines

    async def state(self, case_id: UUID) -> tuple[CaseState, list[Envelope]] | None:
        """The case folded from its stream, and the stream; None when there is no such case."""
        events = await self._store.read_stream(case_id)
        state = fold(events)
        return (state, events) if state is not None else None

    async def record(self, state: CaseState, events: list[Envelope]) -> CaseRecord:
        """What the page shows besides the stream. Ask only once the viewer may see the case: the
        contact is personal data."""
        contact = None
        if not state.anonymous and state.citizen_id is not None:
            contact = await PersonalDataVault(self._database.pool).get(state.citizen_id)
        clocks = await self._deadlines.clocks([state.case_id])
        return CaseRecord(state, events, contact, clocks.get(state.case_id))
