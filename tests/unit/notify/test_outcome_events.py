"""Notify's outcome events on the in-memory store: on top of each stream without a read; an outcome already
in its stream is not stored again, and the others of its case still are."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from uuid import UUID

import pytest

from services.notify.domain.notices import CITIZEN
from services.notify.notifications import Claimed, Outcome, Status
from services.notify.outcome_events import append_outcome_events, outcome_event
from shared.events import CitizenReplied, NewEvent
from shared.testing.events import new_event
from tests.unit.eventstore.racing import Conflicts, RacingStore

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def outcome(case_id: UUID, status: Status = "sent", about: UUID | None = None) -> NewEvent:
    claimed = Claimed(
        id=1, about_event_id=about or uuid.uuid4(), case_id=case_id, correlation_id=None, recipient=CITIZEN,
        citizen_id=uuid.uuid4(), language="km", body="...", encoding="UCS-2", segments=1, attempts=1,
        age_seconds=1.0,
    )  # fmt: skip
    event = outcome_event(Outcome(claimed, status, reason="undelivered", message_id="SM1"), NOW)
    assert event is not None
    return event


async def test_outcomes_go_on_top_of_each_stream_without_a_read() -> None:
    store, conflicts = RacingStore(), Conflicts()
    one, two = uuid.uuid4(), uuid.uuid4()
    await store.append(one, 0, [new_event(CitizenReplied(text="hello")), new_event()])
    events = [(one, outcome(one)), (two, outcome(two, "failed")), (one, outcome(one, "failed"))]
    await append_outcome_events(store, events, conflicts.counter)
    assert [(e.type, e.version) for e in (await store.read_stream(one))[2:]] == [
        ("CitizenNotified", 3), ("CitizenNotificationFailed", 4),
    ]  # fmt: skip
    assert [e.type for e in await store.read_stream(two)] == ["CitizenNotificationFailed"]
    assert (store.reads, conflicts.counted) == ([], 0)


async def test_an_outcome_already_stored_is_not_stored_again_and_the_other_of_its_case_is() -> None:
    store, conflicts = RacingStore(), Conflicts()
    case_id, about = uuid.uuid4(), uuid.uuid4()
    recorded_before = outcome(case_id, about=about)
    await store.append(case_id, 0, [recorded_before])
    again, other = outcome(case_id, about=about), outcome(case_id, "failed")
    await append_outcome_events(store, [(case_id, again), (case_id, other)], conflicts.counter)
    stream = await store.read_stream(case_id)
    assert [e.event_id for e in stream] == [recorded_before.event_id, other.event_id]
    assert store.reads == [[case_id]]  # read once the append was answered with the stored outcome
    assert conflicts.counted == 1
