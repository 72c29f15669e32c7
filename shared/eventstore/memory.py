"""Case streams in memory: the ``EventStore`` port with the PostgreSQL store's answers, for unit tests.

There are no transactions here: each call is its own atomic step, stored or refused as a whole before it
returns. ``connection`` is taken so that the same use case runs on either store, and ignored; an append
made "inside" a caller's transaction is not undone when that transaction would have failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID

from shared.events import Envelope
from shared.eventstore.port import (
    Append,
    Appended,
    Connection,
    EventStore,
    StoredEvent,
    VersionConflictError,
    envelopes_of,
    version_of,
)


class InMemoryEventStore(EventStore):
    """The event store holding its streams in dictionaries."""

    def __init__(self) -> None:
        self._streams: dict[UUID, list[Envelope]] = {}
        self._keys: dict[UUID, dict[str, Envelope]] = {}  # per stream: the event stored under each key
        self._log: list[StoredEvent] = []

    async def append_many(
        self, appends: Sequence[Append], *, connection: Connection | None = None
    ) -> list[Appended | VersionConflictError]:
        if len({append.case_id for append in appends}) != len(appends):
            raise ValueError("append_many takes each case stream at most once")
        return [self._append(append) for append in appends]

    def _append(self, append: Append) -> Appended | VersionConflictError:
        stream, keys = self._streams.get(append.case_id, []), self._keys.get(append.case_id, {})
        if append.expected_version is None:
            append = replace(append, expected_version=len(stream))
        if not append.events:
            return Appended(append.case_id, append)
        # Keys are looked at before the version, as the PostgreSQL store answers a refused append.
        stored = sorted(
            (keys[e.idempotency_key] for e in append.events if e.idempotency_key in keys),
            key=lambda envelope: envelope.version,
        )
        if stored:
            return Appended(append.case_id, tuple(dict.fromkeys(stored)), duplicate=True)
        version = version_of(append)
        if version != len(stream):
            return VersionConflictError(append.case_id, version, len(stream))
        if len({e.idempotency_key for e in append.events}) != len(append.events):
            raise ValueError(f"case {append.case_id}: an append repeats an idempotency key")
        envelopes = envelopes_of(append)
        self._streams.setdefault(append.case_id, []).extend(envelopes)
        keyed = self._keys.setdefault(append.case_id, {})
        for event, envelope in zip(append.events, envelopes, strict=True):
            keyed[event.idempotency_key] = envelope
            self._log.append(StoredEvent(len(self._log) + 1, envelope))
        return Appended(append.case_id, append)

    async def read_stream(self, case_id: UUID, *, connection: Connection | None = None) -> list[Envelope]:
        return list(self._streams.get(case_id, []))

    async def read_streams(
        self, case_ids: Sequence[UUID], *, connection: Connection | None = None
    ) -> dict[UUID, list[Envelope]]:
        return {case_id: list(self._streams[case_id]) for case_id in case_ids if case_id in self._streams}

    async def read_all(
        self, after_position: int = 0, limit: int = 1000, *, connection: Connection | None = None
    ) -> list[StoredEvent]:
        # Positions are 1, 2, 3... here: the event at position p is at index p - 1.
        start = max(after_position, 0)
        return self._log[start : start + limit]

    async def find_by_key(
        self, case_id: UUID, idempotency_key: str, *, connection: Connection | None = None
    ) -> Envelope | None:
        return self._keys.get(case_id, {}).get(idempotency_key)
