"""A case's events as the case page shows them: when, what, by whom, and the words that came with it;
and the conversation with the citizen (the questions asked and the answers given). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from shared.events import Envelope, payload_of
from shared.events.types import (
    CaseAcknowledged,
    CaseAssigned,
    CaseEscalated,
    CaseInfoRequested,
    CaseNeedsTriage,
    CaseRefused,
    CaseResolved,
    CitizenNotificationFailed,
    CitizenNotified,
    CitizenReplied,
    ComplaintFiled,
    SlaBreached,
    VerdictRecorded,
)


@dataclass(frozen=True, slots=True)
class Detail:
    """One line under an event: a label key and a value, itself a key when ``translate``."""

    label: str
    value: str
    translate: bool = False


@dataclass(frozen=True, slots=True)
class Entry:
    at: datetime
    type: str
    actor_kind: str
    actor_id: str
    details: list[Detail] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Exchange:
    """A question to the citizen or the citizen's answer."""

    at: datetime
    asked: bool  # True for a question from the unit, False for the citizen's answer
    text: str
    by: str  # the account that asked, or "" for the citizen


def entries(events: Sequence[Envelope]) -> list[Entry]:
    return [Entry(e.occurred_at, e.type, e.actor.kind, _actor_id(e), _details(e)) for e in events]


def conversation(events: Sequence[Envelope]) -> list[Exchange]:
    said: list[Exchange] = []
    for event in events:
        data = payload_of(event)
        if isinstance(data, CaseInfoRequested):
            said.append(Exchange(event.occurred_at, True, data.question, event.actor.id))
        elif isinstance(data, CitizenReplied):
            said.append(Exchange(event.occurred_at, False, data.text, ""))
    return said


def _actor_id(event: Envelope) -> str:
    # A citizen's id is a key into the personal-data vault: nothing an officer needs to read.
    if event.actor.kind == "citizen":
        return ""
    return event.producer if event.actor.kind == "system" else event.actor.id


def _details(event: Envelope) -> list[Detail]:  # noqa: PLR0911 (one answer per kind of event)
    data = payload_of(event)
    if isinstance(data, ComplaintFiled):
        return [Detail("case.channel", data.channel)]
    if isinstance(data, CaseAssigned):
        return [
            Detail("case.unit", f"{data.unit.name} ({data.unit.id})"),
            Detail("field.reason", data.reason),
        ]
    if isinstance(data, CaseEscalated):
        return [
            Detail("case.unit", f"{data.to_unit.name} ({data.to_unit.id})"),
            Detail("field.reason", data.reason),
        ]
    if isinstance(data, CaseNeedsTriage):
        return [Detail("field.reason", data.reason)]
    if isinstance(data, CaseAcknowledged | CaseResolved | CaseRefused):
        return [Detail("case.unit", data.unit_id)] + ([Detail("field.note", data.note)] if data.note else [])
    if isinstance(data, CaseInfoRequested):
        return [Detail("case.asked", data.question)]
    if isinstance(data, CitizenReplied):
        return [Detail("case.answered", data.text)]
    if isinstance(data, VerdictRecorded):
        verdict = [Detail("case.verdict", f"verdict.{data.verdict}", translate=True)]
        return verdict + ([Detail("field.note", data.note)] if data.note else [])
    if isinstance(data, SlaBreached):
        return [Detail("case.unit", data.unit_id)]
    if isinstance(data, CitizenNotified | CitizenNotificationFailed):
        return [Detail("case.channel", data.channel)]
    return []
