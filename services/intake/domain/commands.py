"""Responder and working-group commands (docs/contract.md §HTTP) and the pure decision on each.

``decide(state, command, responder)`` returns the event data to append, or raises :class:`NotYoursError`
(the responder may not act on this case: 403) or :class:`NotNowError` (the lifecycle forbids it: 409). No
rule depends on the time, so none is passed. A version conflict is not decided here: the handler
reloads the stream and calls ``decide`` again on the newer state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from services.intake.domain.case import CaseState
from shared.events import Actor
from shared.events.types import (
    CaseAcknowledged,
    CaseAssigned,
    CaseInfoRequested,
    CaseRefused,
    CaseResolved,
    EventData,
    UnitRef,
    Verdict,
    VerdictRecorded,
)
from shared.places.units import WORKING_GROUP

CommandName = Literal["acknowledge", "resolve", "refuse", "request-info", "verdict", "assign"]


class CommandRefusedError(Exception):
    """A command that cannot be carried out; the message says why, for the responder."""


class NotYoursError(CommandRefusedError):
    """The responder may not act on this case (it is not theirs now, or not their role)."""


class NotNowError(CommandRefusedError):
    """The case's status forbids the command."""


@dataclass(frozen=True, slots=True)
class Responder:
    """Who sends a command: a unit (by id) or the working group, which answers for ``moi-working-group``."""

    unit_id: str | None
    working_group: bool = False
    # A console account acting (docs/console.md): the event's actor is the person, not only their unit.
    account_id: str | None = None

    @property
    def acts_as(self) -> str | None:
        return WORKING_GROUP if self.working_group else self.unit_id

    @property
    def actor(self) -> Actor:
        if self.working_group:
            return Actor(kind="working_group", id=self.account_id or WORKING_GROUP)
        return Actor(kind="unit", id=self.account_id or self.unit_id or "unknown")


@dataclass(frozen=True, slots=True)
class Acknowledge:
    note: str = ""
    name: CommandName = "acknowledge"


@dataclass(frozen=True, slots=True)
class Resolve:
    note: str = ""
    name: CommandName = "resolve"


@dataclass(frozen=True, slots=True)
class Refuse:
    note: str = ""
    name: CommandName = "refuse"


@dataclass(frozen=True, slots=True)
class RequestInfo:
    question: str
    name: CommandName = "request-info"


@dataclass(frozen=True, slots=True)
class RecordVerdict:
    verdict: Verdict
    note: str = ""
    name: CommandName = "verdict"


@dataclass(frozen=True, slots=True)
class Assign:
    """The working group hands a case to ``unit`` at ladder ``level``."""

    unit: UnitRef
    level: int
    reason: str
    name: CommandName = "assign"


Command = Acknowledge | Resolve | Refuse | RequestInfo | RecordVerdict | Assign
UnitCommand = Acknowledge | Resolve | Refuse | RequestInfo

# The statuses each unit command may start from (the table of docs/architecture.md §Case lifecycle).
_FROM: dict[str, tuple[str, ...]] = {
    "acknowledge": ("assigned",),
    "refuse": ("assigned",),
    # A case whose question went unanswered may be closed without the reply (docs/architecture.md
    # §Case lifecycle): once the wait runs out its clocks run again.
    "resolve": ("acknowledged", "awaiting_citizen"),
    "request-info": ("acknowledged",),
}
EVENT_OF: dict[CommandName, str] = {
    "acknowledge": "CaseAcknowledged", "resolve": "CaseResolved", "refuse": "CaseRefused",
    "request-info": "CaseInfoRequested", "verdict": "VerdictRecorded", "assign": "CaseAssigned",
}  # fmt: skip


def decide(state: CaseState, command: Command, responder: Responder) -> EventData:
    """The event data ``command`` appends to the case, or why it cannot."""
    if isinstance(command, RecordVerdict | Assign):
        return _working_group(state, command, responder)
    unit_id = responder.acts_as
    if unit_id is None or state.unit is None or state.unit.id != unit_id:
        raise NotYoursError(f"case {state.reference} is not assigned to {unit_id or 'you'} now")
    allowed = _FROM[command.name]
    if state.status not in allowed:
        raise NotNowError(
            f"case {state.reference} is {state.status}: {command.name} needs it {' or '.join(allowed)}"
        )
    if isinstance(command, Acknowledge):
        return CaseAcknowledged(unit_id=unit_id, note=command.note)
    if isinstance(command, Resolve):
        return CaseResolved(unit_id=unit_id, note=command.note)
    if isinstance(command, Refuse):
        return CaseRefused(unit_id=unit_id, note=command.note)
    return CaseInfoRequested(unit_id=unit_id, question=command.question)


def _working_group(state: CaseState, command: RecordVerdict | Assign, responder: Responder) -> EventData:
    if not responder.working_group:
        raise NotYoursError(f"only the working group may {command.name} a case")
    if isinstance(command, RecordVerdict):
        return VerdictRecorded(verdict=command.verdict, note=command.note)
    # At any level (docs/architecture.md §Case lifecycle): no unit can keep a case from the working group.
    # A case routing has not placed yet is routing's, and a resolved one is closed.
    if state.status in ("filed", "resolved"):
        raise NotNowError(
            f"case {state.reference} is {state.status}: the working group assigns cases that are routed and "
            "not yet resolved"
        )
    return CaseAssigned(
        unit=command.unit, level=command.level, rule="working-group/assign", reason=command.reason
    )
