"""A validated submission made ready to file: places resolved, confidentiality decided, contact apart.

:func:`complaint_from` is pure; the filing use case adds the reference and the citizen id (both need
the database) and appends :meth:`Complaint.filed`. The contact goes to the personal-data vault only,
never into the event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from services.intake.domain.citizens import NOTHING_PROVEN, Contact, ContactField
from services.intake.domain.identity import case_id_for, filing_key
from services.intake.domain.place_finder import find_places
from services.intake.domain.submission import FREE_TEXT_CHANNELS, ChannelSubmission, Location
from shared.events.types import (
    Category,
    Channel,
    CitizenRef,
    ComplaintFiled,
    ContactChannel,
    Evidence,
    Language,
    ResolvedLocation,
    Subject,
)
from shared.places.gazetteer import Gazetteer

# docs/contract.md §SLA policy: a complaint about the police, or of these categories, is confidential.
CONFIDENTIAL_CATEGORIES: frozenset[str] = frozenset({"police_misconduct", "corruption"})
CONFIDENTIAL_SUBJECTS: frozenset[str] = frozenset({"police_station"})


@dataclass(frozen=True, slots=True)
class Complaint:
    """One complaint to file. ``contact`` is None for an anonymous citizen: nothing of theirs is kept."""

    channel: Channel
    channel_message_id: str
    submitted_at: datetime
    text: str
    category: Category | None
    location: ResolvedLocation
    subject: Subject
    confidential: bool
    language: Language
    contact: Contact | None
    evidence: tuple[Evidence, ...] = ()  # what came with the message besides its text (Messenger)
    case_id: UUID = field(init=False)  # derived from the channel and its message id, once

    def __post_init__(self) -> None:
        object.__setattr__(self, "case_id", case_id_for(self.channel, self.channel_message_id))

    @property
    def idempotency_key(self) -> str:
        return filing_key(self.channel, self.channel_message_id)

    def filed(self, reference: str, citizen_id: UUID | None) -> ComplaintFiled:
        """The event data: the citizen by id only."""
        return ComplaintFiled(
            reference=reference,
            channel=self.channel,
            channel_message_id=self.channel_message_id,
            submitted_at=self.submitted_at,
            citizen=CitizenRef(
                citizen_id=citizen_id,
                language=self.language,
                anonymous=self.contact is None,
                reachable_by=_reachable_by(self.contact),
            ),
            text=self.text,
            category=self.category,
            location=self.location,
            subject=self.subject,
            confidential=self.confidential,
            evidence=self.evidence,
        )


def is_confidential(category: str | None, subject_kind: str | None) -> bool:
    """Whether the complaint is about the police or of a confidential category.

    Which categories are confidential: docs/contract.md §SLA policy.
    """
    return category in CONFIDENTIAL_CATEGORIES or subject_kind in CONFIDENTIAL_SUBJECTS


def complaint_from(
    submission: ChannelSubmission,
    gazetteer: Gazetteer,
    proven: frozenset[ContactField] = NOTHING_PROVEN,
) -> Complaint:
    """The complaint a valid submission files; ``proven``: what of its contact the door it came through
    vouches for (docs/contract.md §Who a citizen is), nothing unless said."""
    citizen = submission.citizen
    subject = submission.subject
    return Complaint(
        channel=submission.channel,
        channel_message_id=submission.channel_message_id,
        submitted_at=submission.submitted_at,
        text=submission.text,
        category=submission.category,
        location=_location(submission, gazetteer),
        subject=Subject(kind=subject.kind, name=subject.name) if subject else Subject(),
        confidential=is_confidential(submission.category, subject.kind if subject else None),
        language=citizen.language,
        contact=None
        if citizen.anonymous
        else Contact(
            name=citizen.name, phone=citizen.phone, facebook_psid=citizen.facebook_psid, proven=proven
        ),
    )


def _reachable_by(contact: Contact | None) -> tuple[ContactChannel, ...]:
    channels: list[ContactChannel] = []
    if contact and contact.phone:
        channels.append("sms")
    if contact and contact.facebook_psid:
        channels.append("messenger")
    return tuple(channels)


def _location(submission: ChannelSubmission, gazetteer: Gazetteer) -> ResolvedLocation:
    given: Location | None = submission.location
    if given is not None:
        return ResolvedLocation(
            province=given.province, district=given.district, commune=given.commune,
            village=given.village, lat=given.lat, lon=given.lon,
        )  # fmt: skip
    if submission.channel in FREE_TEXT_CHANNELS:
        # No place found in the text is no reason to refuse: the case is filed and routing triages it.
        found = find_places(gazetteer, submission.text)
        return ResolvedLocation(province=found.province, district=found.district, commune=found.commune)
    return ResolvedLocation()
