"""The actions the lifecycle allows an account on a case now: the lifecycle's own ``decide`` asked about
each command, so the buttons shown and the rule applied cannot disagree."""

from __future__ import annotations

from services.intake.domain.case import CaseState
from services.intake.domain.commands import (
    Acknowledge,
    Assign,
    Command,
    CommandName,
    CommandRefusedError,
    RecordVerdict,
    Refuse,
    RequestInfo,
    Resolve,
    Responder,
    decide,
)
from shared.events.types import UnitRef

# One of each command, in the order the page offers them; the values only serve to ask ``decide``.
_PROBES: tuple[Command, ...] = (
    Acknowledge(),
    RequestInfo(question="?"),
    Resolve(),
    Refuse(),
    Assign(unit=UnitRef(id="probe", kind="police", name="probe"), level=0, reason="probe"),
    RecordVerdict(verdict="undetermined"),
)


def allowed(case: CaseState, responder: Responder) -> list[CommandName]:
    """The commands ``responder`` may give on ``case`` as it stands."""
    names: list[CommandName] = []
    for probe in _PROBES:
        try:
            decide(case, probe, responder)
        except CommandRefusedError:
            continue
        names.append(probe.name)
    return names
