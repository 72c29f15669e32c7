"""The case-timeline side of an outcome: ``CitizenNotified`` or ``CitizenNotificationFailed`` (B4).

Appended in the transaction that records the outcome, under the key ``<about event id>:notified:citizen``
(or ``:notification-failed:citizen``), so an outcome recorded twice still shows once. These events do not
depend on the case's state, so a version conflict only means: append on top of the newer version.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from services.notify.domain.notices import CITIZEN
from services.notify.notifications import Outcome
from shared.events import Actor, CitizenNotificationFailed, CitizenNotified, EventData, NewEvent
from shared.eventstore.store import Append, Appended, Connection, PostgresEventStore, VersionConflictError

PRODUCER = "notify"
ACTOR = Actor(kind="system", id=PRODUCER)
_ROUNDS = 10  # conflicts in a row before the whole recording transaction is tried again


def outcome_event(outcome: Outcome, now: datetime) -> NewEvent | None:
    """The event an outcome adds to the case stream: only final outcomes of the citizen's notices."""
    claimed = outcome.claimed
    if claimed.recipient != CITIZEN:
        return None
    data: EventData
    if outcome.status == "sent":
        data = CitizenNotified(
            about_event_id=claimed.about_event_id, channel="sms", provider_message_id=outcome.message_id or ""
        )
        what = "notified"
    elif outcome.status == "failed":
        data = CitizenNotificationFailed(
            about_event_id=claimed.about_event_id, channel="sms", reason=outcome.reason or "failed",
            attempts=claimed.attempts,
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
    connection: Connection, store: PostgresEventStore, events: Sequence[tuple[UUID, NewEvent]]
) -> None:
    """Append ``(case id, event)`` pairs on top of each case's latest version, within ``connection``'s
    transaction; raises :class:`VersionConflictError` when writers keep getting in between."""
    remaining: dict[UUID, list[NewEvent]] = defaultdict(list)
    for case_id, event in events:
        remaining[case_id].append(event)
    for _ in range(_ROUNDS):
        if not remaining:
            return
        rows = await connection.fetch(
            """SELECT case_id, max(version) AS version FROM events
               WHERE case_id = ANY($1::uuid[]) GROUP BY case_id""",
            list(remaining),
        )
        versions = {row["case_id"]: row["version"] for row in rows}
        appends = [Append(case_id, versions.get(case_id, 0), new) for case_id, new in remaining.items()]
        results = await store.append_many(appends, connection=connection)
        again: dict[UUID, list[NewEvent]] = {}
        for append, result in zip(appends, results, strict=True):
            if isinstance(result, VersionConflictError):
                again[append.case_id] = list(append.events)
            elif isinstance(result, Appended) and result.duplicate:
                # Some of the keys were stored before: append the others on the next round.
                missing = [
                    event
                    for event in append.events
                    if await store.find_by_key(append.case_id, event.idempotency_key, connection=connection)
                    is None
                ]
                if missing:
                    again[append.case_id] = missing
        remaining = again
    if remaining:
        case_id = next(iter(remaining))
        raise VersionConflictError(case_id, versions.get(case_id, 0), versions.get(case_id, 0))
