"""The typed ``data`` of each case event type (docs/contract.md §Case events), as frozen pydantic models.

A payload's type name is its class name; ``schema_version`` rises when its shape changes, and an
upcaster (see registry.py) reads the older shape as the newer one: stored history is never edited.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Channel = Literal["facebook", "sms", "web", "commune_office", "hotline", "open311"]
Category = Literal[
    "drugs", "theft", "violence", "domestic_violence", "traffic", "police_misconduct", "corruption",
    "land_dispute", "public_services", "flood_relief", "nuisance", "other",
]  # fmt: skip
Language = Literal["km", "en"]
ContactChannel = Literal["sms", "messenger"]
SubjectKind = Literal["police_station", "commune_office", "district_office", "provincial_office", "other"]
UnitKind = Literal["police", "local_authority", "provincial_police", "provincial_hall", "working_group"]
ClockName = Literal["acknowledgement", "resolution", "triage"]
EscalationReason = Literal["unanswered", "refused", "unresolved"]
Verdict = Literal["substantiated", "unsubstantiated", "false_report", "undetermined"]


class EventData(BaseModel):
    """Base of every event payload."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: ClassVar[int] = 1

    @classmethod
    def type_name(cls) -> str:
        return cls.__name__


class CitizenRef(BaseModel):
    """The citizen as events know them: an id into the personal-data vault, never the contact."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    citizen_id: UUID | None
    language: Language = "km"
    anonymous: bool = False
    reachable_by: tuple[ContactChannel, ...] = ()


class ResolvedLocation(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    province: str | None = Field(default=None, pattern=r"^KH-([1-9]|1[0-9]|2[0-5])$")
    district: str | None = Field(default=None, pattern=r"^\d{4}$")
    commune: str | None = Field(default=None, pattern=r"^\d{6}$")
    village: str | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class Subject(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: SubjectKind | None = None
    name: str | None = Field(default=None, max_length=300)


class UnitRef(BaseModel):
    """A unit as it appears in events: its public id (e.g. ``police:1203``), kind, name and province."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=100)
    kind: UnitKind
    name: str
    province: str | None = None


EvidenceKind = Literal["image", "audio", "video", "file", "location"]


class Evidence(BaseModel):
    """Something a citizen sent with a message besides its text (a Messenger attachment): its kind and,
    when the channel gives one, where to fetch it. Added to ``ComplaintFiled`` and ``CitizenReplied`` as an
    optional field: payloads stored before it read with none."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: EvidenceKind
    url: str | None = Field(default=None, max_length=4000)


MAX_EVIDENCE = 20


class ComplaintFiled(EventData):
    reference: str = Field(pattern=r"^[A-HJ-NP-Z2-9]{8}$")
    channel: Channel
    channel_message_id: str = Field(min_length=1, max_length=300)
    submitted_at: AwareDatetime | None = None
    citizen: CitizenRef
    text: str = Field(min_length=1, max_length=4000)
    category: Category | None = None
    location: ResolvedLocation
    subject: Subject = Subject()
    confidential: bool
    evidence: tuple[Evidence, ...] = Field(default=(), max_length=MAX_EVIDENCE)


class CaseAssigned(EventData):
    unit: UnitRef
    level: int = Field(ge=0, le=2)
    rule: str
    reason: str


class CaseNeedsTriage(EventData):
    reason: str


class _UnitAnswer(EventData):
    unit_id: str
    note: str = Field(default="", max_length=2000)


class CaseAcknowledged(_UnitAnswer):
    pass


class CaseResolved(_UnitAnswer):
    pass


class CaseRefused(_UnitAnswer):
    pass


class CaseInfoRequested(EventData):
    unit_id: str
    question: str = Field(min_length=1, max_length=160)


class CitizenReplied(EventData):
    text: str = Field(min_length=1, max_length=4000)
    channel: Channel | None = None
    evidence: tuple[Evidence, ...] = Field(default=(), max_length=MAX_EVIDENCE)


class SlaBreached(EventData):
    clock: ClockName
    due_at: datetime
    unit_id: str
    level: int = Field(ge=0, le=2)


class CaseEscalated(EventData):
    from_unit: UnitRef
    to_unit: UnitRef
    level: int = Field(ge=1, le=2)
    reason: EscalationReason


class VerdictRecorded(EventData):
    verdict: Verdict
    note: str = Field(default="", max_length=2000)


class CitizenNotified(EventData):
    about_event_id: UUID
    channel: ContactChannel
    provider_message_id: str


class CitizenNotificationFailed(EventData):
    about_event_id: UUID
    channel: ContactChannel
    reason: str
    attempts: int = Field(ge=0)


EVENT_TYPES: dict[str, type[EventData]] = {
    cls.type_name(): cls
    for cls in (
        ComplaintFiled, CaseAssigned, CaseNeedsTriage, CaseAcknowledged, CaseResolved, CaseRefused,
        CaseInfoRequested, CitizenReplied, SlaBreached, CaseEscalated, VerdictRecorded, CitizenNotified,
        CitizenNotificationFailed,
    )
}  # fmt: skip
