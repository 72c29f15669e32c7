"""Builders of case events for tests: valid events with sensible defaults."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from shared.events import Actor, CaseNeedsTriage, EventData, NewEvent

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
