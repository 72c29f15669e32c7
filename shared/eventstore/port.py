"""The event store as its users see it: the ``EventStore`` port and the values that cross it.

Both implementations (``store.PostgresEventStore``, ``memory.InMemoryEventStore``) import these, and the
contract tests (``tests/contract/eventstore``) hold both to the same answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeAlias
from uuid import UUID

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from shared.events import Envelope, NewEvent

Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"


class VersionConflictError(Exception):
    """The stream moved on since the writer read it: reload, decide again, append again."""

    def __init__(self, case_id: UUID, expected_version: int, current_version: int) -> None:
        super().__init__(
            f"case {case_id}: expected version {expected_version}, stream is at {current_version}"
        )
        self.case_id = case_id
        self.expected_version = expected_version
        self.current_version = current_version


@dataclass(frozen=True, slots=True)
class Append:
    """Events to add to one case stream, written on the version the writer decided on.

    ``expected_version=None`` appends on top of whatever the stream holds, for events that do not depend on
    its state (notify's outcomes): there is no version to be stale, though a writer racing on the same
    stream can still make it conflict. Keys are checked as for any append.
    """

    case_id: UUID
    expected_version: int | None
    events: Sequence[NewEvent]


@dataclass(frozen=True, slots=True)
class Appended:
    """What an append left in the stream: the new events, or (``duplicate``) those already stored.

    ``stored`` is the append itself when it went in (its envelopes are built only when ``events`` is read:
    most writers never read them, and an envelope costs more than the row it was written from), or the
    envelopes read back from the stream for a duplicate.
    """

    case_id: UUID
    stored: Append | tuple[Envelope, ...]
    duplicate: bool = False

    @property
    def events(self) -> tuple[Envelope, ...]:
        if isinstance(self.stored, Append):
            return tuple(envelopes_of(self.stored))
        return self.stored


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event with its position in the store (insertion order), for replays."""

    position: int
    envelope: Envelope


class EventStore(Protocol):
    """Case streams: optimistic, idempotent appends, and reads.

    - A stream's versions run from 1 with no gap; an append names the version it was decided on
      (``expected_version``, 0 for a new stream) and is refused with :class:`VersionConflictError` when
      the stream is elsewhere; one without a version goes on top of the stream as it is.
    - An idempotency key is unique within its stream: an append carrying a key already stored stores
      nothing and answers ``Appended(duplicate=True)`` with the events stored under its keys.
    - A stream's events of one append are stored all together or not at all.
    - ``read_all`` gives every event in the order it was stored (its ``position``).

    Every method takes an optional ``connection``: with the PostgreSQL store, pass one inside a transaction
    to make the call part of it. An implementation without transactions takes it and ignores it.

    The implementations subclass this port: its docstrings are their contract, and they inherit ``append``.
    """

    async def append(
        self,
        case_id: UUID,
        expected_version: int | None,
        events: Sequence[NewEvent],
        *,
        connection: Connection | None = None,
    ) -> Appended:
        """Append to one stream (on top of it with ``expected_version=None``), or raise
        :class:`VersionConflictError`; an existing key stores nothing. (An implementation subclassing the
        port gets this: ``append_many`` of one.)"""
        (result,) = await self.append_many([Append(case_id, expected_version, events)], connection=connection)
        if isinstance(result, VersionConflictError):
            raise result
        return result

    async def append_many(
        self, appends: Sequence[Append], *, connection: Connection | None = None
    ) -> list[Appended | VersionConflictError]:
        """Append to many streams (each at most once) at once; each stream gets its own result, in order:
        a stream that moved gets a :class:`VersionConflictError` and the others are stored."""
        ...

    async def read_stream(self, case_id: UUID, *, connection: Connection | None = None) -> list[Envelope]:
        """The case's events in version order (empty for an unknown case)."""
        ...

    async def read_streams(
        self, case_ids: Sequence[UUID], *, connection: Connection | None = None
    ) -> dict[UUID, list[Envelope]]:
        """Several streams at once; an unknown case has no entry."""
        ...

    async def read_all(
        self, after_position: int = 0, limit: int = 1000, *, connection: Connection | None = None
    ) -> list[StoredEvent]:
        """Up to ``limit`` events in position order after ``after_position``, for replays and projections."""
        ...

    async def find_by_key(
        self, case_id: UUID, idempotency_key: str, *, connection: Connection | None = None
    ) -> Envelope | None:
        """The event a writer already stored under ``idempotency_key`` in this stream, if any."""
        ...


def version_of(append: Append) -> int:
    """The version ``append`` goes on: a store gives an append without one its stream's version first."""
    if append.expected_version is None:
        raise ValueError(f"case {append.case_id}: the append was not given its stream's version")
    return append.expected_version


def envelopes_of(append: Append) -> list[Envelope]:
    """The envelopes of ``append``'s events as stored on its expected version."""
    version = version_of(append)
    return [event.envelope(append.case_id, version + i) for i, event in enumerate(append.events, 1)]
