"""One readable line of the key facts of a case event, for ``follow``, ``timeline`` and the demo."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from cli.table import clip
from shared.events import (
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
    Envelope,
    EventDecodeError,
    SlaBreached,
    VerdictRecorded,
    payload_of,
)
from shared.events.types import UnitRef

# Operators read times in Cambodia's zone, the zone of the SLA calendar.
ZONE = ZoneInfo("Asia/Phnom_Penh")
TEXT_COLUMNS = 48


def local_time(at: datetime, *, with_date: bool = False) -> str:
    shown = at.astimezone(ZONE)
    return shown.strftime("%Y-%m-%d %H:%M:%S") if with_date else shown.strftime("%H:%M:%S")


def short_id(case_id: UUID) -> str:
    """The first 8 hex digits of a case id: what ``follow`` shows before it has seen the reference."""
    return case_id.hex[:8]


def unit_label(unit: UnitRef) -> str:
    return f"{unit.id} ({unit.name})"


def facts(envelope: Envelope, types_by_id: Mapping[UUID, str] | None = None) -> str:  # noqa: PLR0911
    """What an event says, in one line; ``types_by_id`` names the events an SMS outcome is about."""
    try:
        data = payload_of(envelope)
    except EventDecodeError as error:
        return f"(unreadable: {error.reason})"
    about = types_by_id or {}
    match data:
        case ComplaintFiled():
            return _filing(data)
        case CaseAssigned(unit=unit, level=level, rule=rule):
            return f"{unit_label(unit)}, level {level}, rule {rule}"
        case CaseNeedsTriage(reason=reason):
            return reason
        case CaseAcknowledged() | CaseResolved() | CaseRefused():
            return f"{data.unit_id}" + (f": {data.note}" if data.note else "")
        case CaseInfoRequested(unit_id=unit_id, question=question):
            return f"{unit_id} asks: {question}"
        case CitizenReplied(text=text):
            return _quoted(text)
        case SlaBreached(clock=clock, due_at=due_at, unit_id=unit_id, level=level):
            return f"{clock} deadline {local_time(due_at)} missed by {unit_id} (level {level})"
        case CaseEscalated(from_unit=source, to_unit=target, level=level, reason=reason):
            return f"{reason}: {source.id} -> {unit_label(target)}, level {level}"
        case VerdictRecorded(verdict=verdict, note=note):
            return verdict + (f": {note}" if note else "")
        case CitizenNotified(about_event_id=event_id, channel=channel, provider_message_id=sid):
            return f"{channel.upper()} about {about.get(event_id, str(event_id)[:8])} ({sid})"
        case CitizenNotificationFailed(about_event_id=event_id, reason=reason, attempts=attempts):
            return f"about {about.get(event_id, str(event_id)[:8])}: {reason} after {attempts} attempt(s)"
    return ""


def _filing(filed: ComplaintFiled) -> str:
    place = "/".join(code for code in (filed.location.province, filed.location.district,
                                       filed.location.commune) if code) or "place unknown"  # fmt: skip
    citizen = "anonymous" if filed.citizen.anonymous else filed.citizen.language
    parts = [filed.reference, filed.channel, citizen, filed.category or "no category", place]
    if filed.confidential:
        parts.append("confidential")
    return f"{' '.join(parts)} {_quoted(filed.text)}"


def _quoted(text: str) -> str:
    return f'"{clip(" ".join(text.split()), TEXT_COLUMNS)}"'


def event_line(envelope: Envelope, case_label: str, types_by_id: Mapping[UUID, str] | None = None) -> str:
    """``time  case  type  facts``: how ``follow`` and the demo print an event as it happens."""
    return (
        f"{local_time(envelope.occurred_at)}  {case_label:<8}  {envelope.type:<25}  "
        f"{facts(envelope, types_by_id)}"
    )
