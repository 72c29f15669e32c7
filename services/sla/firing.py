"""Firing due deadlines: decide on each claimed case's latest stream, append, and decide again on conflict.

Appends are optimistic on the case stream (``shared.eventstore.decide_and_append``): if an acknowledgement
(or anything) lands between the read and the append, the append stores nothing, the stream is read again
and the decision made again, so an acknowledgement that lands first wins and no wrong escalation is stored.
Idempotency keys come from the domain (``<clock start>:breach:<clock>``, ``<cause>:escalate``): a decision
stored twice is stored once.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from services.sla import deadlines
from services.sla.deadlines import DeadlineRow
from services.sla.domain.clocks import Breach, Decision, Escalation, SlaState, decide_due, replay, upcoming
from services.sla.domain.policy import SlaPolicy
from services.sla.units import EscalationUnits
from shared.events import Actor, CaseEscalated, Envelope, EventData, NewEvent, SlaBreached
from shared.eventstore import ConflictCounter, Connection, EventStore, decide_and_append

log = logging.getLogger(__name__)

PRODUCER = "sla"
ACTOR = Actor(kind="system", id="sla")
# A case due with nothing to do (it cannot happen with a consistent policy) waits this long, instead of
# being looked at on every pass.
STUCK_DELAY = timedelta(minutes=1)


@dataclass
class Fired:
    """What one pass stored, for the metrics (counted once its transaction has committed)."""

    breaches: list[Breach] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)
    lateness: list[float] = field(default_factory=list)  # seconds from due to stored, per fired deadline
    conflicts: int = 0


@dataclass
class CaseView:
    """A case's stream as read (and extended by what this pass appended) and its SLA state."""

    stream: list[Envelope]
    state: SlaState

    @property
    def version(self) -> int:
        return self.stream[-1].version if self.stream else 0


class Firing:
    """Turns due deadlines into ``SlaBreached`` and ``CaseEscalated`` events and the rows that follow."""

    def __init__(self, policy: SlaPolicy, units: EscalationUnits, conflicts: ConflictCounter) -> None:
        self.policy = policy
        self.units = units
        self.conflicts = conflicts

    async def fire(
        self, connection: Connection, store: EventStore, case_ids: Sequence[UUID], now: datetime
    ) -> Fired:
        """Decide, append and write back the rows of ``case_ids`` at ``now``, in the caller's transaction
        (which holds their rows locked)."""
        return await self.settle(connection, store, await self.load(connection, store, case_ids), now)

    async def load(
        self, connection: Connection, store: EventStore, case_ids: Sequence[UUID]
    ) -> dict[UUID, CaseView]:
        """The cases' streams as stored now, and their SLA state."""
        streams = await store.read_streams(case_ids, connection=connection)
        return {case_id: self._case(streams.get(case_id, [])) for case_id in case_ids}

    async def settle(
        self, connection: Connection, store: EventStore, cases: dict[UUID, CaseView], now: datetime
    ) -> Fired:
        """Decide on the cases as loaded and append; when a stream moved (the unit answered, anyone appended,
        or another replica stored the same decisions) read it again and decide again; then write back each
        case's row."""
        decisions: dict[UUID, list[Decision]] = {}

        def due(case_id: UUID, stream: Sequence[Envelope]) -> list[NewEvent]:
            case = cases[case_id]
            if stream is not case.stream:  # read again: its state is replayed once, here
                case = cases[case_id] = self._case(stream)
            decisions[case_id], events = self._plan(case, now)
            return events

        decided = await decide_and_append(
            store,
            due,
            conflicts=self.conflicts,
            streams={case_id: case.stream for case_id, case in cases.items()},
            # The row needs the stream as it ends up: decisions another replica stored are read back.
            redecide_duplicates=True,
            connection=connection,
        )
        fired = Fired(conflicts=decided.conflicts)
        for outcome in decided.cases.values():
            if outcome.appended is not None:
                case = cases[outcome.case_id]
                self._count(fired, case.state, decisions[outcome.case_id], now)
                case.stream.extend(outcome.appended.events)
                case.state = replay(outcome.appended.events, self.policy, case.state)
        await deadlines.save(connection, [self._row(case_id, case, now) for case_id, case in cases.items()])
        return fired

    def _case(self, stream: Sequence[Envelope]) -> CaseView:
        return CaseView(list(stream), replay(stream, self.policy))

    def _plan(self, case: CaseView, now: datetime) -> tuple[list[Decision], list[NewEvent]]:
        decisions = decide_due(case.state, now, self.policy.ladder, self.units.next_unit)
        return decisions, [self._event(decision, case.stream, now) for decision in decisions]

    def _event(self, decision: Decision, stream: Sequence[Envelope], now: datetime) -> NewEvent:
        data: EventData
        if isinstance(decision, Escalation):
            data = CaseEscalated(
                from_unit=self.units.ref(decision.from_unit, stream),
                to_unit=self.units.ref(decision.to_unit, stream),
                level=decision.to_level,
                reason=decision.reason,
            )
        else:
            data = SlaBreached(
                clock=decision.clock, due_at=decision.due_at, unit_id=decision.unit_id, level=decision.level
            )
        cause = next((e for e in stream if str(e.event_id) == decision.caused_by), None)
        return NewEvent(
            event_id=uuid4(),
            data=data,
            idempotency_key=decision.idempotency_key,
            occurred_at=now,
            producer=PRODUCER,
            actor=ACTOR,
            causation_id=None if cause is None else cause.event_id,
            correlation_id=None if cause is None else cause.correlation_id,
        )

    @staticmethod
    def _count(fired: Fired, before: SlaState, decisions: list[Decision], now: datetime) -> None:
        for decision in decisions:
            if isinstance(decision, Escalation):
                fired.escalations.append(decision)
                if decision.reason == "refused" and before.refused_at is not None:
                    fired.lateness.append((now - before.refused_at).total_seconds())
            else:
                fired.breaches.append(decision)
                fired.lateness.append((now - decision.due_at).total_seconds())

    def _row(self, case_id: UUID, case: CaseView, now: datetime) -> DeadlineRow:
        next_up = upcoming(case.state, self.policy.ladder)
        if next_up is not None and next_up.due_at <= now:
            log.warning("case %s is due with nothing to decide; looking again in %s", case_id, STUCK_DELAY)
            next_up = dataclasses.replace(next_up, due_at=now + STUCK_DELAY)
        return DeadlineRow(case_id, case.version, next_up)
