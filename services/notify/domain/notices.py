"""Who is texted about a case event, and in which words (docs/contract.md §SMS out; the channel is chosen
when sending, docs/contract.md §Messenger out).

The citizen hears about the filing (a receipt with the reference and how to ask for the status), the
assignment (the unit, or only the level for a confidential case), a question from the unit, an
escalation, the resolution and the working group's verdict, once each and in the language they filed in.
An anonymous citizen is never texted: the notice is kept, marked skipped. A unit whose entry in the units
file has a phone is texted, in ``unit_language``, when a case reaches it (assignment or escalation), and
when the citizen answers on a case it holds (``CitizenReplied``: that the citizen answered, never what).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.notify.domain.texts import Rendered, Texts
from shared.events import (
    CaseAssigned,
    CaseEscalated,
    CaseInfoRequested,
    CaseNeedsTriage,
    CaseResolved,
    CitizenReplied,
    ComplaintFiled,
    Envelope,
    EventData,
    VerdictRecorded,
    payload_of,
)
from shared.events.types import Language, UnitRef
from shared.places.units import UnitRegistry

CITIZEN = "citizen"
NOTIFIED_TYPES = frozenset(
    cls.type_name()
    for cls in (
        ComplaintFiled, CaseAssigned, CaseInfoRequested, CaseEscalated, CaseResolved, VerdictRecorded,
        CitizenReplied,
    )
)  # fmt: skip


def unit_recipient(unit_id: str) -> str:
    """The recipient name of a unit's notice: ``unit:<unit id>``."""
    return f"unit:{unit_id}"


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What notify needs to know about a case, all of it from its ``ComplaintFiled``."""

    reference: str
    citizen_id: UUID | None
    language: Language
    anonymous: bool
    confidential: bool
    # A complaint filed on Messenger is itself a message from the citizen: Meta's 24-hour window is open
    # from then, whatever the vault says yet (docs/contract.md §Messenger out).
    messenger_at: datetime | None = None

    @classmethod
    def of(cls, filing: ComplaintFiled) -> CaseFacts:
        citizen = filing.citizen
        return cls(
            reference=filing.reference,
            citizen_id=citizen.citizen_id,
            language=citizen.language,
            anonymous=citizen.anonymous or citizen.citizen_id is None,
            confidential=filing.confidential,
            messenger_at=filing.submitted_at if filing.channel == "facebook" else None,
        )


@dataclass(frozen=True, slots=True)
class Notice:
    """One SMS to one recipient about one event; ``skip`` says why it is not to be sent, if so."""

    recipient: str
    citizen_id: UUID | None
    text: Rendered
    skip: str | None = None
    messenger_since: datetime | None = None  # a Messenger message the case itself records


def notices_for(
    data: EventData,
    facts: CaseFacts,
    texts: Texts,
    units: UnitRegistry,
    unit_language: Language,
    *,
    holder: UnitRef | None = None,
) -> list[Notice]:
    """The notices an event gives rise to (none for a type nobody is texted about); ``holder``: the unit
    holding the case when the event happened (needed for ``CitizenReplied`` only)."""
    citizen = _citizen_text(data, facts, texts, units)
    notices: list[Notice] = []
    if citizen is not None:
        skip = "anonymous" if facts.anonymous else None
        notices.append(Notice(CITIZEN, facts.citizen_id, citizen, skip, facts.messenger_at))
    if isinstance(data, CitizenReplied) and holder is not None:
        unit = units.get(holder.id)
        if unit is not None and unit.phone is not None:
            values = {"reference": facts.reference, "unit": unit_name(holder, unit_language, units)}
            notices.append(
                Notice(unit_recipient(unit.id), None, texts.render("unit_replied", unit_language, values))
            )
    reached = _unit_reached(data)
    if reached is not None:
        unit = units.get(reached.id)
        if unit is not None and unit.phone is not None:
            values = {"reference": facts.reference, "unit": unit_name(reached, unit_language, units)}
            if isinstance(data, CaseEscalated):
                values["reason"] = texts.of(unit_language).reasons[data.reason]
                text = texts.render("unit_escalated", unit_language, values)
            else:
                text = texts.render("unit_assigned", unit_language, values)
            notices.append(Notice(unit_recipient(unit.id), None, text))
    return notices


def unit_name(ref: UnitRef, language: Language, units: UnitRegistry) -> str:
    """The unit's name in ``language`` from the registry; the event's (English) name for an unknown unit."""
    unit = units.get(ref.id)
    if unit is None:
        return ref.name
    return unit.name_km if language == "km" else unit.name_en


def _citizen_text(data: EventData, facts: CaseFacts, texts: Texts, units: UnitRegistry) -> Rendered | None:
    language = facts.language
    words = texts.of(language)
    values = {"reference": facts.reference}
    match data:
        case ComplaintFiled():
            template = "filed"
        case CaseAssigned(unit=unit, level=level):
            template = "assigned"
            values["unit"] = unit_name(unit, language, units)
        case CaseInfoRequested(question=question):
            template = "info_requested"
            values["question"] = question
        case CaseEscalated(to_unit=unit, level=level, reason=reason):
            template = "escalated"
            values.update(unit=unit_name(unit, language, units), reason=words.reasons[reason])
        case CaseResolved():
            template = "resolved"
        case VerdictRecorded(verdict=verdict):
            template = "verdict"
            values["verdict"] = words.verdicts[verdict]
        case _:
            return None
    if "unit" in values and facts.confidential:
        # A confidential case never names the unit that has it: only the level (docs/contract.md §HTTP's
        # status page agrees).
        template = f"{template}_confidential"
        values["level"] = words.levels[level]
        del values["unit"]
    return texts.render(template, language, values)


def _unit_reached(data: EventData) -> UnitRef | None:
    if isinstance(data, CaseAssigned):
        return data.unit
    if isinstance(data, CaseEscalated):
        return data.to_unit
    return None


def holder_at(stream: Sequence[Envelope], version: int) -> UnitRef | None:
    """The unit holding the case once its event ``version`` happened (None in triage, or before routing)."""
    holder: UnitRef | None = None
    for event in stream:
        if event.version > version:
            break
        if event.type in _MOVES_HOLDER:
            data = payload_of(event)
            holder = _unit_reached(data) if not isinstance(data, CaseNeedsTriage) else None
    return holder


_MOVES_HOLDER = frozenset(cls.type_name() for cls in (CaseAssigned, CaseEscalated, CaseNeedsTriage))
