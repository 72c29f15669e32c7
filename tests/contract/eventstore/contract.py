"""What every event store answers, written once: a test class subclasses :class:`EventStoreContract` and
gives it a ``store`` fixture (tests/unit/eventstore for the in-memory store, tests/integration/eventstore
for PostgreSQL)."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from shared.events import Actor, CaseNeedsTriage, CitizenReplied
from shared.eventstore import Append, Appended, EventStore, VersionConflictError
from shared.testing.events import new_event

KHMER = "ប៉ូលិសនៅស្រុកមិនព្រមទទួលពាក្យបណ្តឹងរបស់ខ្ញុំទេ 🙏"


class EventStoreContract:
    """The semantics of the ``EventStore`` port; PostgreSQL's own (outbox rows, COPY, transactions, several
    connections) are tested in tests/integration/eventstore/test_append.py."""

    async def test_a_new_stream_gets_versions_from_one_and_reads_back_in_order(
        self, store: EventStore
    ) -> None:
        case_id = uuid.uuid4()
        first, second = new_event(CitizenReplied(text=KHMER)), new_event()
        appended = await store.append(case_id, 0, [first, second])
        assert [e.version for e in appended.events] == [1, 2]
        assert not appended.duplicate
        stream = await store.read_stream(case_id)
        assert [(e.event_id, e.version) for e in stream] == [(first.event_id, 1), (second.event_id, 2)]
        assert stream[0].data["text"] == KHMER
        assert stream[0].type == "CitizenReplied"
        assert stream[0].case_id == case_id
        assert list(appended.events) == stream

    async def test_an_unknown_stream_reads_empty(self, store: EventStore) -> None:
        assert await store.read_stream(uuid.uuid4()) == []

    @pytest.mark.parametrize("events", [1, 3], ids=["one event", "several events"])
    async def test_data_that_looks_like_the_envelopes_own_keys_is_stored_as_it_is(
        self, store: EventStore, events: int
    ) -> None:
        tricky = 'x","data":{"forged":1},"y":"\\,"data":'
        case_id = uuid.uuid4()
        written = [
            replace(new_event(CitizenReplied(text=tricky)), actor=Actor(kind="citizen", id=tricky))
            for _ in range(events)
        ]
        await store.append(case_id, 0, written)
        stored = await store.read_stream(case_id)
        assert [(e.data["text"], e.actor.id) for e in stored] == [(tricky, tricky)] * events

    async def test_a_stale_expected_version_conflicts_and_writes_nothing(self, store: EventStore) -> None:
        case_id = uuid.uuid4()
        await store.append(case_id, 0, [new_event(), new_event()])
        with pytest.raises(VersionConflictError) as raised:
            await store.append(case_id, 1, [new_event()])
        assert raised.value.current_version == 2
        assert raised.value.expected_version == 1
        assert raised.value.case_id == case_id
        with pytest.raises(VersionConflictError):
            await store.append(case_id, 5, [new_event()])  # ahead of the stream: no gap either
        assert len(await store.read_stream(case_id)) == 2

    async def test_the_same_idempotency_key_is_stored_once(self, store: EventStore) -> None:
        case_id = uuid.uuid4()
        original = new_event(key="web:msg-1")
        stored = await store.append(case_id, 0, [original])
        retry = new_event(key="web:msg-1")  # a retry carries a new event id but the same key
        again = await store.append(case_id, 0, [retry])
        later = await store.append(case_id, 1, [new_event(key="web:msg-1")])  # even on the right version
        assert again.duplicate
        assert later.duplicate
        assert again.events == stored.events == later.events
        assert await store.read_stream(case_id) == list(stored.events)

    async def test_keys_are_unique_within_a_stream_not_across_streams(self, store: EventStore) -> None:
        one, other = uuid.uuid4(), uuid.uuid4()
        await store.append(one, 0, [new_event(key="k")])
        appended = await store.append(other, 0, [new_event(key="k")])
        assert not appended.duplicate
        assert len(await store.read_stream(other)) == 1

    async def test_an_append_with_one_stored_key_stores_none_of_its_events(self, store: EventStore) -> None:
        case_id = uuid.uuid4()
        first = await store.append(case_id, 0, [new_event(key="a")])
        again = await store.append(case_id, 1, [new_event(key="b"), new_event(key="a")])
        assert again.duplicate
        assert again.events == first.events  # what is stored under the append's keys
        assert await store.find_by_key(case_id, "b") is None
        assert len(await store.read_stream(case_id)) == 1

    async def test_find_by_key_finds_the_event_stored_under_it_in_that_stream(
        self, store: EventStore
    ) -> None:
        case_id = uuid.uuid4()
        appended = await store.append(case_id, 0, [new_event(), new_event(key="command:7")])
        assert await store.find_by_key(case_id, "command:7") == appended.events[1]
        assert await store.find_by_key(case_id, "command:8") is None
        assert await store.find_by_key(uuid.uuid4(), "command:7") is None

    async def test_many_streams_in_one_append_get_their_own_answers(self, store: EventStore) -> None:
        moved, fresh, repeated = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        await store.append(moved, 0, [new_event()])
        await store.append(repeated, 0, [new_event(key="k")])
        results = await store.append_many(
            [
                Append(moved, 0, [new_event()]),
                Append(fresh, 0, [new_event(), new_event()]),
                Append(repeated, 1, [new_event(key="k")]),
            ]
        )
        assert isinstance(results[0], VersionConflictError)
        assert results[0].current_version == 1
        assert isinstance(results[1], Appended)
        assert [e.version for e in results[1].events] == [1, 2]
        assert isinstance(results[2], Appended)
        assert results[2].duplicate
        assert len(await store.read_stream(moved)) == 1

    async def test_a_stream_twice_in_one_append_many_is_refused(self, store: EventStore) -> None:
        case_id = uuid.uuid4()
        with pytest.raises(ValueError, match="at most once"):
            await store.append_many([Append(case_id, 0, [new_event()]), Append(case_id, 1, [new_event()])])
        assert await store.read_stream(case_id) == []

    async def test_a_writer_ahead_of_its_stream_conflicts_with_several_events_too(
        self, store: EventStore
    ) -> None:
        behind, fresh = uuid.uuid4(), uuid.uuid4()
        await store.append(behind, 0, [new_event(), new_event()])
        with pytest.raises(VersionConflictError) as raised:
            await store.append(behind, 4, [new_event(), new_event()])  # versions 5 and 6 would leave a gap
        assert raised.value.current_version == 2
        results = await store.append_many(
            [Append(behind, 3, [new_event(), new_event()]), Append(fresh, 0, [new_event()])]
        )
        assert isinstance(results[0], VersionConflictError)
        assert isinstance(results[1], Appended)
        assert [e.version for e in await store.read_stream(behind)] == [1, 2]

    @pytest.mark.parametrize("before", [0, 2], ids=["a new stream", "an extended stream"])
    async def test_an_append_without_a_version_goes_on_top_of_the_stream(
        self, store: EventStore, before: int
    ) -> None:
        case_id, other = uuid.uuid4(), uuid.uuid4()
        if before:
            await store.append(case_id, 0, [new_event() for _ in range(before)])
        appended = await store.append(case_id, None, [new_event(key="notified"), new_event()])
        assert [e.version for e in appended.events] == [before + 1, before + 2]
        results = await store.append_many(
            [Append(case_id, None, [new_event(key="notified")]), Append(other, None, [new_event()])]
        )
        assert isinstance(results[0], Appended)
        assert results[0].duplicate
        assert results[0].events == appended.events[:1]
        assert isinstance(results[1], Appended)
        assert [e.version for e in results[1].events] == [1]
        assert [e.version for e in await store.read_stream(case_id)] == list(range(1, before + 3))

    async def test_read_streams_reads_several_and_leaves_unknown_cases_out(self, store: EventStore) -> None:
        one, two, unknown = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        await store.append(one, 0, [new_event()])
        await store.append(two, 0, [new_event(), new_event()])
        streams = await store.read_streams([one, two, unknown])
        assert set(streams) == {one, two}
        assert [e.version for e in streams[two]] == [1, 2]
        assert streams[one] == await store.read_stream(one)

    async def test_read_all_pages_through_every_event_in_position_order(self, store: EventStore) -> None:
        cases = [uuid.uuid4() for _ in range(5)]
        for case_id in cases:
            await store.append(case_id, 0, [new_event(), new_event(CaseNeedsTriage(reason="x"))])
        seen, after = [], 0
        while page := await store.read_all(after, limit=3):
            assert len(page) <= 3
            seen.extend(page)
            after = page[-1].position
        assert len(seen) == 10
        assert [s.position for s in seen] == sorted({s.position for s in seen})
        assert [(s.envelope.case_id, s.envelope.version) for s in seen] == [
            (c, v) for c in cases for v in (1, 2)
        ]

    async def test_read_all_after_a_position_gives_what_was_stored_since(self, store: EventStore) -> None:
        await store.append(uuid.uuid4(), 0, [new_event()])
        (last,) = await store.read_all()
        later = await store.append(uuid.uuid4(), 0, [new_event()])
        assert [s.envelope for s in await store.read_all(last.position)] == list(later.events)
