"""decide_and_append: read, decide, append; a stream that moved is read again and decided on again, up to
the bound; every refusal counted."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from uuid import UUID

import pytest

from shared.events import CaseNeedsTriage, CitizenReplied, Envelope, NewEvent
from shared.eventstore import Append, ContendedStreamError, VersionConflictError, decide_and_append
from shared.eventstore.decide import MAX_ATTEMPTS
from shared.testing.events import new_event
from tests.unit.eventstore.racing import Conflicts, RacingStore

pytestmark = pytest.mark.unit
REPLY = CitizenReplied(text="I wrote again")


class Note:
    """A decision that notes the case once (key ``note``), and records what it was decided on."""

    def __init__(self) -> None:
        self.seen: list[tuple[UUID, list[int]]] = []

    def __call__(self, case_id: UUID, stream: Sequence[Envelope]) -> list[NewEvent]:
        self.seen.append((case_id, [event.version for event in stream]))
        if any(event.type == "CaseNeedsTriage" for event in stream):
            return []
        return [new_event(CaseNeedsTriage(reason="noted"), key="note")]


async def test_each_case_is_read_and_its_decision_appended_on_the_version_read() -> None:
    store, conflicts, note = RacingStore(), Conflicts(), Note()
    one, two = uuid.uuid4(), uuid.uuid4()
    await store.append(two, 0, [new_event(REPLY), new_event(REPLY)])
    decided = await decide_and_append(store, note, conflicts=conflicts.counter, read=[one, two])
    assert sorted(note.seen) == sorted([(one, []), (two, [1, 2])])
    assert [e.version for e in await store.read_stream(one)] == [1]
    assert [e.type for e in await store.read_stream(two)] == ["CitizenReplied"] * 2 + ["CaseNeedsTriage"]
    outcome = decided.cases[two]
    assert outcome.appended is not None
    assert [e.version for e in outcome.appended.events] == [3]
    assert outcome.stream is not None
    assert [e.version for e in outcome.stream] == [1, 2]
    assert (decided.conflicts, conflicts.counted) == (0, 0)


async def test_a_case_decided_on_to_be_left_alone_appends_nothing() -> None:
    store, conflicts = RacingStore(), Conflicts()
    case_id = uuid.uuid4()
    await store.append(case_id, 0, [new_event(CaseNeedsTriage(reason="already"))])
    decided = await decide_and_append(store, Note(), conflicts=conflicts.counter, read=[case_id])
    assert decided.cases[case_id].appended is None
    assert len(await store.read_stream(case_id)) == 1


async def test_a_stream_that_moved_is_read_again_and_decided_on_as_it_is_now() -> None:
    case_id = uuid.uuid4()
    store, conflicts, note = RacingStore({case_id: [REPLY]}), Conflicts(), Note()
    await store.append(case_id, 0, [new_event(REPLY)])
    decided = await decide_and_append(store, note, conflicts=conflicts.counter, read=[case_id])
    assert note.seen == [(case_id, [1]), (case_id, [1, 2])]
    assert [e.version for e in await store.read_stream(case_id)] == [1, 2, 3]
    assert (decided.conflicts, conflicts.counted) == (1, 1)


async def test_a_stream_that_moved_under_every_decision_ends_in_a_contended_error() -> None:
    case_id = uuid.uuid4()
    store, conflicts = RacingStore({case_id: [REPLY] * MAX_ATTEMPTS}), Conflicts()
    with pytest.raises(ContendedStreamError) as raised:
        await decide_and_append(store, Note(), conflicts=conflicts.counter, read=[case_id])
    assert isinstance(raised.value, VersionConflictError)  # what callers retry their transaction on
    assert (raised.value.case_id, raised.value.attempts) == (case_id, MAX_ATTEMPTS)
    assert (raised.value.expected_version, raised.value.current_version) == (MAX_ATTEMPTS - 1, MAX_ATTEMPTS)
    assert conflicts.counted == MAX_ATTEMPTS
    assert [e.type for e in await store.read_stream(case_id)] == ["CitizenReplied"] * MAX_ATTEMPTS


async def test_one_refusal_fewer_than_the_bound_still_appends() -> None:
    case_id = uuid.uuid4()
    store, conflicts = RacingStore({case_id: [REPLY] * (MAX_ATTEMPTS - 1)}), Conflicts()
    decided = await decide_and_append(store, Note(), conflicts=conflicts.counter, read=[case_id])
    assert decided.conflicts == MAX_ATTEMPTS - 1
    assert (await store.read_stream(case_id))[-1].type == "CaseNeedsTriage"


async def test_first_appends_go_in_without_a_read_and_only_streams_that_moved_are_read() -> None:
    on_time, moved = uuid.uuid4(), uuid.uuid4()
    store, conflicts, note = RacingStore(), Conflicts(), Note()
    for case_id in (on_time, moved):
        await store.append(case_id, 0, [new_event(REPLY)])
    await store.append(moved, 1, [new_event(CaseNeedsTriage(reason="the working group was first"))])
    first = [Append(case_id, 1, [new_event(CaseNeedsTriage(reason="mine"))]) for case_id in (on_time, moved)]
    decided = await decide_and_append(store, note, conflicts=conflicts.counter, first=first)
    assert store.reads == [[moved]]
    assert note.seen == [(moved, [1, 2])]
    assert decided.cases[on_time].stream is None  # decided by the caller, never read
    assert decided.cases[moved].appended is None
    assert [len(await store.read_stream(case_id)) for case_id in (on_time, moved)] == [2, 2]
    assert conflicts.counted == 1


async def test_an_append_on_top_needs_no_read() -> None:
    case_id = uuid.uuid4()
    store, conflicts = RacingStore(), Conflicts()
    await store.append(case_id, 0, [new_event(REPLY), new_event(REPLY)])
    first = [Append(case_id, None, [new_event(CaseNeedsTriage(reason="whatever the stream holds"))])]
    decided = await decide_and_append(store, Note(), conflicts=conflicts.counter, first=first)
    appended = decided.cases[case_id].appended
    assert appended is not None
    assert [e.version for e in appended.events] == [3]
    assert store.reads == []


@pytest.mark.parametrize("redecide", [False, True], ids=["the outcome", "decided again"])
async def test_a_duplicate_is_the_outcome_or_is_read_and_decided_on_again(redecide: bool) -> None:
    case_id = uuid.uuid4()
    store, conflicts, note = RacingStore(), Conflicts(), Note()
    stored = await store.append(case_id, 0, [new_event(CaseNeedsTriage(reason="a replica"), key="note")])
    first = [Append(case_id, 1, [new_event(CaseNeedsTriage(reason="mine"), key="note")])]
    decided = await decide_and_append(
        store, note, conflicts=conflicts.counter, first=first, redecide_duplicates=redecide
    )
    outcome = decided.cases[case_id]
    if redecide:
        assert (outcome.appended, note.seen, conflicts.counted) == (None, [(case_id, [1])], 1)
    else:
        assert outcome.appended is not None
        assert outcome.appended.duplicate
        assert outcome.appended.events == stored.events
        assert (note.seen, conflicts.counted) == ([], 0)
    assert len(await store.read_stream(case_id)) == 1


async def test_streams_read_by_the_caller_are_decided_on_as_given() -> None:
    case_id = uuid.uuid4()
    store, conflicts, note = RacingStore(), Conflicts(), Note()
    await store.append(case_id, 0, [new_event(REPLY)])
    stream = await store.read_stream(case_id)
    decided = await decide_and_append(store, note, conflicts=conflicts.counter, streams={case_id: stream})
    assert decided.cases[case_id].stream is stream
    assert store.reads == []
    assert len(await store.read_stream(case_id)) == 2
