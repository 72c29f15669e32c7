"""The case-timeline side of an outcome: ``CitizenNotified`` or ``CitizenNotificationFailed``
(docs/contract.md §Case events).

Appended in the transaction that records the outcome, under the key ``<about event id>:notified:citizen``
(or ``:notification-failed:citizen``), so an outcome recorded twice still shows once. These events do not
depend on the case's state: they go on top of the stream without reading it, and a refused append only
means that the stream is read to see which outcomes are already in it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from services.notify.domain.notices import CITIZEN
from services.notify.notifications import Outcome
from shared.events import Actor, CitizenNotificationFailed, CitizenNotified, Envelope, EventData, NewEvent
from shared.eventstore import Append, ConflictCounter, Connection, EventStore, decide_and_append

PRODUCER = "notify"
ACTOR = Actor(kind="system", id=PRODUCER)


def outcome_event(outcome: Outcome, now: datetime) -> NewEvent | None:
    """The event an outcome adds to the case stream: only final outcomes of the citizen's notices."""
    claimed = outcome.claimed
    if claimed.recipient != CITIZEN:
        return None
    data: EventData
    if outcome.status == "sent":
        data = CitizenNotified(
            about_event_id=claimed.about_event_id, channel=outcome.channel,
            provider_message_id=outcome.message_id or "",
        )  # fmt: skip
        what = "notified"
    elif outcome.status == "failed":
        data = CitizenNotificationFailed(
            about_event_id=claimed.about_event_id, channel=outcome.channel, reason=outcome.reason or "failed",
            attempts=claimed.attempts - (1 if outcome.unsent else 0),
        )  # fmt: skip
        what = "notification-failed"
    else:
        return None
    return NewEvent(
        event_id=uuid.uuid4(),
        data=data,
        idempotency_key=f"{claimed.about_event_id}:{what}:{CITIZEN}",
        occurred_at=now,
        producer=PRODUCER,
        actor=ACTOR,
        causation_id=claimed.about_event_id,
        correlation_id=claimed.correlation_id,
    )


async def append_outcome_events(
    store: EventStore,
    events: Sequence[tuple[UUID, NewEvent]],
    conflicts: ConflictCounter,
    *,
    connection: Connection | None = None,
) -> None:
    """Append ``(case id, event)`` pairs on top of each case's stream, within ``connection``'s transaction;
    an outcome already in its stream is not appended again. Raises ``ContendedStreamError`` (a
    ``VersionConflictError``) when writers keep getting in between."""
    by_case: dict[UUID, dict[str, NewEvent]] = defaultdict(dict)
    for case_id, event in events:
        by_case[case_id].setdefault(event.idempotency_key, event)

    def not_stored(case_id: UUID, stream: Sequence[Envelope]) -> list[NewEvent]:
        # Read only when an append was refused. An outcome's key names the event it is about and what became
        # of it: in the stream, that is an event of the outcome's type caused by the same event.
        stored = {(event.type, event.causation_id) for event in stream}
        return [e for e in by_case[case_id].values() if (e.data.type_name(), e.causation_id) not in stored]

    first = [Append(case_id, None, list(new.values())) for case_id, new in by_case.items()]
    await decide_and_append(
        store, not_stored, conflicts=conflicts, first=first, redecide_duplicates=True, connection=connection
    )
