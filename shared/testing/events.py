"""Builders of case events for tests: valid events with sensible defaults."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from shared.events import Actor, CaseNeedsTriage, ComplaintFiled, EventData, NewEvent
from shared.events.types import Category, Channel, CitizenRef, Language, ResolvedLocation

SYSTEM = Actor(kind="system", id="tests")
AT = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


def new_event(
    data: EventData | None = None, *, key: str | None = None, causation_id: uuid.UUID | None = None
) -> NewEvent:
    """A :class:`NewEvent` of ``data`` (a triage note by default) under a fresh or given key."""
    event_id = uuid.uuid4()
    return NewEvent(
        event_id=event_id,
        data=data or CaseNeedsTriage(reason="test"),
        idempotency_key=key or f"test:{event_id}",
        occurred_at=AT,
        producer="tests",
        actor=SYSTEM,
        causation_id=causation_id,
    )


def complaint_filed(
    *,
    category: Category | None = "theft",
    province: str | None = "KH-12",
    district: str | None = None,
    commune: str | None = None,
    confidential: bool = False,
    text: str = "Someone stole my motorbike and the police did not come.",
    channel: Channel = "web",
    citizen_id: uuid.UUID | None = None,
    language: Language = "en",
) -> ComplaintFiled:
    """A valid ``ComplaintFiled`` payload (a theft in Phnom Penh by default)."""
    message_id = uuid.uuid4().hex
    return ComplaintFiled(
        reference="KH7F3K9Q",
        channel=channel,
        channel_message_id=message_id,
        citizen=CitizenRef(
            citizen_id=citizen_id, language=language, anonymous=citizen_id is None,
            reachable_by=("sms",) if citizen_id else (),
        ),
        text=text,
        category=category,
        location=ResolvedLocation(province=province, district=district, commune=commune),
        confidential=confidential,
    )  # fmt: skip
