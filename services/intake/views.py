"""What the read endpoints answer: the public status, a unit's inbox and the working group's queue."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.events.types import ResolvedLocation, Subject, UnitRef


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class TimelineEntry(_View):
    type: str = Field(description="The case event, e.g. ComplaintFiled, CaseAssigned, CaseResolved")
    at: datetime


class PublicStatus(_View):
    """A case as anyone holding its reference may see it: nothing personal, no text."""

    reference: str
    status: str
    category: str | None
    province: str | None
    assigned_unit: UnitRef | None = Field(
        description="The unit holding the case; null for confidential cases"
    )
    escalation_level: int | None = Field(description="0 the first unit, 1 provincial, 2 the working group")
    timeline: list[TimelineEntry]


class ContactView(_View):
    """The citizen's contact, from the personal-data vault."""

    name: str | None
    phone: str | None
    facebook_psid: str | None
    language: str


class CaseSummary(_View):
    case_id: UUID
    reference: str
    status: str
    level: int | None
    category: str | None
    confidential: bool
    location: ResolvedLocation
    subject: Subject
    text: str
    language: str
    anonymous: bool
    filed_at: datetime
    updated_at: datetime


class Exchange(_View):
    """A question the unit asked the citizen, or what the citizen answered (by SMS or Messenger)."""

    kind: str = Field(description="question (from the unit) or reply (from the citizen)")
    text: str
    channel: str | None = Field(description="How a reply came: sms, facebook; null for a question")
    at: datetime


class InboxCase(CaseSummary):
    """An open case of the unit, with the citizen's contact unless they are anonymous (or erased), and
    the questions and replies exchanged with the citizen, oldest first."""

    citizen: ContactView | None
    exchanges: list[Exchange] = []


class QueueCase(CaseSummary):
    """A case waiting on the working group: in triage, or at level 2 and not resolved."""

    assigned_unit: UnitRef | None
    verdict: str | None


class CommandDone(_View):
    """What a command stored."""

    case_id: UUID
    event_id: UUID
    type: str
    version: int
    status: str = Field(description="The case's status after the command")
    replayed: bool = Field(description="True when the Idempotency-Key named a command already carried out")


class Accepted(_View):
    """A filed complaint: its case id, and the reference the citizen can ask about."""

    case_id: UUID
    reference: str
