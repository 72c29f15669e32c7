"""The deadline clocks of one case, folded from its events, and what falls due at a given instant.

`evolve(state, event, policy)` keeps the open clocks; `decide_due(state, now, ladder, next_unit)`
says which breaches and which escalation to append. A question to the citizen pauses the clocks for at
most the policy's `citizen_reply_wait` (docs/architecture.md §Case lifecycle): a paused clock already
carries the deadline it has if the citizen never answers, so the timer fires it with no event to wait for.
Both are pure: the caller passes the time. Every decision carries an idempotency key derived from the
event that caused it, so appending the same decision twice stores it once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, ClassVar, Literal, Protocol
from uuid import UUID

from services.sla.domain.calendar import as_utc
from services.sla.domain.policy import Deadline, Ladder, SlaPolicy

ClockName = Literal["triage", "acknowledgement", "resolution"]
EscalationReason = Literal["unanswered", "refused", "unresolved"]
NextUnit = Callable[[str, int], str]
"""`next_unit(unit_id, level)`: the unit that takes a case from `unit_id` at `level` (the unit registry)."""

_ORDER: tuple[ClockName, ...] = ("triage", "acknowledgement", "resolution")


class CaseEvent(Protocol):
    """What the SLA domain reads of a case event (the shared envelope has more)."""

    @property
    def event_id(self) -> UUID | str: ...
    @property
    def type(self) -> str: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def data(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class Event:
    """A minimal concrete `CaseEvent`, for tests and for adapting other event shapes."""

    event_id: str
    type: str
    occurred_at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SlaClock:
    """One deadline. While paused (`left` set: the time still owed when the question was asked), `due_at`
    is where the deadline falls if the citizen does not answer: `left` counted from the end of the wait."""

    name: ClockName
    deadline: Deadline
    started_by: str  # the event that started it at this level: the root of its idempotency keys
    unit_id: str
    level: int
    due_at: datetime | None
    left: timedelta | None = None

    @property
    def paused(self) -> bool:
        """Whether a question to the citizen holds this clock."""
        return self.left is not None

    breached: bool = False


@dataclass(frozen=True, slots=True)
class SlaState:
    """The SLA view of one case. Treat as immutable: `evolve` returns a new one."""

    category: str | None = None
    unit_id: str | None = None
    level: int = 0
    clocks: Mapping[ClockName, SlaClock] = field(default_factory=dict)
    refused_by: str | None = None  # a CaseRefused whose escalation is still owed
    refused_at: datetime | None = None
    resolved: bool = False
    reply_due: datetime | None = None  # while the clocks wait on the citizen: when they resume regardless


@dataclass(frozen=True, slots=True)
class Breach:
    """Data for an `SlaBreached` event."""

    event_type: ClassVar[str] = "SlaBreached"
    idempotency_key: str
    clock: ClockName
    due_at: datetime
    unit_id: str
    level: int

    @property
    def caused_by(self) -> str:
        """The id of the event that started the clock (the root of the idempotency key)."""
        return self.idempotency_key.partition(":")[0]


@dataclass(frozen=True, slots=True)
class Escalation:
    """Data for a `CaseEscalated` event; the caller expands unit ids into unit objects."""

    event_type: ClassVar[str] = "CaseEscalated"
    idempotency_key: str
    from_unit: str
    to_unit: str
    to_level: int
    reason: EscalationReason

    @property
    def caused_by(self) -> str:
        """The id of the event that started the late clock, or of the refusal."""
        return self.idempotency_key.partition(":")[0]


Decision = Breach | Escalation


def evolve(state: SlaState, event: CaseEvent, policy: SlaPolicy) -> SlaState:
    """Apply one case event; events the SLA does not care about leave the state unchanged."""
    apply = _APPLY.get(event.type)
    return state if apply is None else apply(state, event, as_utc(event.occurred_at, "occurred_at"), policy)


def replay(events: Iterable[CaseEvent], policy: SlaPolicy, state: SlaState | None = None) -> SlaState:
    """Fold `events`, in stream order, into the SLA state."""
    state = state or SlaState()
    for event in events:
        state = evolve(state, event, policy)
    return state


def decide_due(state: SlaState, now: datetime, ladder: Ladder, next_unit: NextUnit) -> list[Decision]:
    """What must be appended at `now`: a breach for each clock past due and not yet recorded, and
    at most one escalation (refused, else unanswered, else unresolved). At the top of the ladder
    breaches are recorded but nothing escalates. A clock is past due from its `due_at` on."""
    now = as_utc(now, "now")
    if state.resolved:
        return []

    def escalate(cause: str, from_unit: str, from_level: int, reason: EscalationReason) -> Escalation:
        to_unit = ladder.at(from_level + 1).unit or next_unit(from_unit, from_level + 1)
        # A unit whose next rung is the top unit itself (an operator's unit placed right under the
        # working group, or one the registry does not know) goes straight to the top level.
        to_level = ladder.top if to_unit == ladder.top_unit else from_level + 1
        return Escalation(f"{cause}:escalate", from_unit, to_unit, to_level, reason)

    if state.refused_by is not None and state.unit_id is not None and state.level < ladder.top:
        return [escalate(state.refused_by, state.unit_id, state.level, "refused")]
    decisions: list[Decision] = []
    escalation: Escalation | None = None
    for clock in (state.clocks[name] for name in _ORDER if name in state.clocks):
        if clock.due_at is None or clock.due_at > now:
            continue
        if not clock.breached:
            key = f"{clock.started_by}:breach:{clock.name}"
            decisions.append(Breach(key, clock.name, clock.due_at, clock.unit_id, clock.level))
        if escalation is None and clock.name != "triage" and clock.level < ladder.top:
            reason: EscalationReason = "unanswered" if clock.name == "acknowledgement" else "unresolved"
            escalation = escalate(clock.started_by, clock.unit_id, clock.level, reason)
    return decisions + ([escalation] if escalation else [])


@dataclass(frozen=True, slots=True)
class Upcoming:
    """The next instant `decide_due` will have something to say about a case, and why."""

    due_at: datetime
    clock: ClockName | Literal["refusal"]
    unit_id: str
    level: int


def upcoming(state: SlaState, ladder: Ladder) -> Upcoming | None:
    """The case's next deadline (for the durable timer), or None when no clock runs."""
    if state.resolved:
        return None
    if state.refused_at is not None and state.unit_id is not None and state.level < ladder.top:
        return Upcoming(state.refused_at, "refusal", state.unit_id, state.level)
    # A breached clock below the top still owes its escalation until CaseEscalated restarts it.
    owed = [
        Upcoming(c.due_at, c.name, c.unit_id, c.level)
        for name in _ORDER
        if (c := state.clocks.get(name)) is not None
        and c.due_at is not None
        and (not c.breached or c.level < ladder.top)
    ]
    return min(owed, key=lambda u: u.due_at, default=None)


def next_due(state: SlaState, ladder: Ladder) -> datetime | None:
    """When `decide_due` will next have something to say (for the durable timer), or None."""
    found = upcoming(state, ladder)
    return None if found is None else found.due_at


def _assign(
    state: SlaState, event: CaseEvent, at: datetime, policy: SlaPolicy, *, unit_id: str, level: int
) -> SlaState:
    """Restart the acknowledgement and resolution clocks for `unit_id` at `level`."""
    calendar = policy.business_calendar
    deadlines = policy.deadlines_for(state.category, level)
    starts: tuple[tuple[ClockName, Deadline], ...] = (
        ("acknowledgement", deadlines.acknowledgement),
        ("resolution", deadlines.resolution),
    )
    started_by = str(event.event_id)
    clocks = {name: SlaClock(name, d, started_by, unit_id, level, d.due(calendar, at)) for name, d in starts}
    return replace(
        state, unit_id=unit_id, level=level, clocks=clocks, refused_by=None, refused_at=None, reply_due=None
    )


def _pause(clock: SlaClock, at: datetime, reply_due: datetime, policy: SlaPolicy) -> SlaClock:
    # A deadline already missed stays missed: asking the citizen a question cannot rescue it.
    if clock.due_at is None or clock.name == "triage" or (not clock.paused and clock.due_at <= at):
        return clock
    left = (
        clock.left if clock.paused else clock.deadline.time_left(policy.business_calendar, at, clock.due_at)
    )
    return replace(clock, due_at=clock.deadline.due(policy.business_calendar, reply_due, left), left=left)


def _resume(clock: SlaClock, at: datetime, policy: SlaPolicy) -> SlaClock:
    if clock.left is None:
        return clock
    return replace(clock, due_at=clock.deadline.due(policy.business_calendar, at, clock.left), left=None)


def _settled(state: SlaState, at: datetime) -> SlaState:
    """The state at `at` with a wait that has run out by then ended: its clocks run on the `due_at` they
    hold, from the moment the wait ended."""
    if state.reply_due is None or at < state.reply_due:
        return state
    clocks = {name: replace(c, left=None) for name, c in state.clocks.items()}
    return replace(state, clocks=clocks, reply_due=None)


def _without(clocks: Mapping[ClockName, SlaClock], name: ClockName) -> dict[ClockName, SlaClock]:
    return {key: clock for key, clock in clocks.items() if key != name}


def _filed(state: SlaState, event: CaseEvent, at: datetime, policy: SlaPolicy) -> SlaState:
    return replace(state, category=event.data.get("category"))


def _needs_triage(state: SlaState, event: CaseEvent, at: datetime, policy: SlaPolicy) -> SlaState:
    # Triage belongs to the unit at the top of the ladder (the working group).
    due_at, ladder = policy.triage.due(policy.business_calendar, at), policy.ladder
    clock = SlaClock("triage", policy.triage, str(event.event_id), ladder.top_unit, ladder.top, due_at)
    return replace(state, clocks={"triage": clock})


def _assigned(state: SlaState, event: CaseEvent, at: datetime, policy: SlaPolicy) -> SlaState:
    unit = event.data["unit"]
    # The working group assigning a case to itself puts it at the top, whatever `level` says.
    at_top = unit.get("kind") == "working_group" or unit["id"] == policy.ladder.top_unit
    level = policy.ladder.top if at_top else int(event.data.get("level", 0))
    return _assign(state, event, at, policy, unit_id=unit["id"], level=level)


def _escalated(state: SlaState, event: CaseEvent, at: datetime, policy: SlaPolicy) -> SlaState:
    unit_id, level = event.data["to_unit"]["id"], int(event.data["level"])
    return _assign(state, event, at, policy, unit_id=unit_id, level=level)


def _acknowledged(state: SlaState, event: CaseEvent, at: datetime, policy: SlaPolicy) -> SlaState:
    return replace(state, clocks=_without(state.clocks, "acknowledgement"))


def _refused(state: SlaState, event: CaseEvent, at: datetime, policy: SlaPolicy) -> SlaState:
    # A refusal answers the case (the acknowledgement clock stops) and escalates it at once.
    clocks = _without(state.clocks, "acknowledgement")
    return replace(state, clocks=clocks, refused_by=str(event.event_id), refused_at=at)


def _resolved(state: SlaState, event: CaseEvent, at: datetime, policy: SlaPolicy) -> SlaState:
    return replace(state, clocks={}, refused_by=None, refused_at=None, resolved=True, reply_due=None)


def _info_requested(state: SlaState, event: CaseEvent, at: datetime, policy: SlaPolicy) -> SlaState:
    # A question asked while another still holds the clocks keeps what the first left owed, waiting anew.
    state = _settled(state, at)
    reply_due = policy.citizen_reply_wait.due(policy.business_calendar, at)
    clocks = {name: _pause(c, at, reply_due, policy) for name, c in state.clocks.items()}
    return replace(state, clocks=clocks, reply_due=reply_due)


def _citizen_replied(state: SlaState, event: CaseEvent, at: datetime, policy: SlaPolicy) -> SlaState:
    # A reply after the wait ran out finds the clocks running already: it changes nothing.
    state = _settled(state, at)
    clocks = {name: _resume(c, at, policy) for name, c in state.clocks.items()}
    return replace(state, clocks=clocks, reply_due=None)


def _breached(state: SlaState, event: CaseEvent, at: datetime, policy: SlaPolicy) -> SlaState:
    clock = state.clocks.get(event.data["clock"])
    # A breach recorded at an earlier level must not mark the restarted clock.
    if clock is None or clock.level != int(event.data["level"]):
        return state
    return replace(state, clocks={**state.clocks, clock.name: replace(clock, breached=True)})


_APPLY: dict[str, Callable[[SlaState, CaseEvent, datetime, SlaPolicy], SlaState]] = {
    "ComplaintFiled": _filed,
    "CaseNeedsTriage": _needs_triage,
    "CaseAssigned": _assigned,
    "CaseEscalated": _escalated,
    "CaseAcknowledged": _acknowledged,
    "CaseRefused": _refused,
    "CaseResolved": _resolved,
    "CaseInfoRequested": _info_requested,
    "CitizenReplied": _citizen_replied,
    "SlaBreached": _breached,
}
