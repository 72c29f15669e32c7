"""The PostgreSQL event store: optimistic, idempotent appends with their outbox rows, and reads."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias
from uuid import UUID

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from shared.events import Envelope, NewEvent, encode_envelope

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
    """Events to add to one case stream, written on the version the writer decided on."""

    case_id: UUID
    expected_version: int
    events: Sequence[NewEvent]


@dataclass(frozen=True, slots=True)
class Appended:
    """What an append left in the stream: the new events, or (``duplicate``) those already stored."""

    case_id: UUID
    events: tuple[Envelope, ...]
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event with its position in the store (insertion order), for replays."""

    position: int
    envelope: Envelope


_COLUMNS = (
    "case_id, version, event_id, type, schema_version, idempotency_key, occurred_at, producer, "
    "causation_id, correlation_id, actor_kind, actor_id, data"
)

# One statement, one round trip, for any number of appends to any number of streams. A stream's events
# go in only if the stream is at the version its writer expected; the outbox rows go in with them.
_APPEND = f"""
WITH new AS (
    SELECT * FROM unnest($1::uuid[], $2::int[], $3::uuid[], $4::int[], $5::text[], $6::int[], $7::text[],
                         $8::timestamptz[], $9::text[], $10::uuid[], $11::uuid[], $12::text[], $13::text[],
                         $14::text[])
        AS n(case_id, expected, event_id, version, type, schema_version, idempotency_key, occurred_at,
             producer, causation_id, correlation_id, actor_kind, actor_id, payload)
), current_version AS (
    -- A scalar max() per stream: always an index probe, whatever plan PostgreSQL caches for the statement.
    SELECT s.case_id,
           coalesce((SELECT max(e.version) FROM events e WHERE e.case_id = s.case_id), 0) AS version
    FROM (SELECT DISTINCT case_id FROM new) s
), accepted AS (
    SELECT new.* FROM new
    JOIN current_version c ON c.case_id = new.case_id AND c.version = new.expected
), stored AS (
    INSERT INTO events ({_COLUMNS})
    SELECT case_id, version, event_id, type, schema_version, idempotency_key, occurred_at, producer,
           causation_id, correlation_id, actor_kind, actor_id, (payload::jsonb) -> 'data'
    FROM accepted ORDER BY case_id, version
    RETURNING event_id
), queued AS (
    -- Every accepted event is stored, or the whole statement fails: no need to join on what was stored.
    INSERT INTO outbox (case_id, event_id, type, payload)
    SELECT case_id, event_id, type, payload FROM accepted ORDER BY case_id, version
)
SELECT event_id FROM stored
"""

# The same for the commonest append, one event to one stream, as a single row: PostgreSQL spends about half
# the server time of the general statement on it (no unnest, no joins to plan and run).
_APPEND_ONE = f"""
WITH stored AS (
    INSERT INTO events ({_COLUMNS})
    SELECT $1, $4, $3, $5, $6, $7, $8, $9, $10, $11, $12, $13, ($14::text::jsonb) -> 'data'
    WHERE (SELECT coalesce(max(version), 0) FROM events WHERE case_id = $1) = $2
    RETURNING event_id
), queued AS (
    INSERT INTO outbox (case_id, event_id, type, payload) SELECT $1, event_id, $5, $14::text FROM stored
)
SELECT event_id FROM stored
"""

_SELECT = f"SELECT position, {_COLUMNS} FROM events"


class PostgresEventStore:
    """Case streams in PostgreSQL (the ``events`` and ``outbox`` tables of ``sql/0001_event_store.sql``).

    Every method takes an optional ``connection``: pass one inside a transaction to make the append part
    of it (a consumer's tracking row, the vault row of a filing); without one, the pool is used.
    """

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def append(
        self,
        case_id: UUID,
        expected_version: int,
        events: Sequence[NewEvent],
        *,
        connection: Connection | None = None,
    ) -> Appended:
        """Append to one stream, or raise :class:`VersionConflictError`; an existing key stores nothing."""
        (result,) = await self.append_many([Append(case_id, expected_version, events)], connection=connection)
        if isinstance(result, VersionConflictError):
            raise result
        return result

    async def append_many(
        self, appends: Sequence[Append], *, connection: Connection | None = None
    ) -> list[Appended | VersionConflictError]:
        """Append to many streams in one statement; each stream gets its own result, in order.

        A stream whose version moved gets a :class:`VersionConflictError` and nothing of it is stored; the
        others are stored. Keys already in a stream give ``Appended(duplicate=True)`` with what is stored.
        """
        if connection is None:
            async with self._pool.acquire() as acquired:
                return await self.append_many(appends, connection=acquired)
        envelopes = {a.case_id: _envelopes(a) for a in appends}
        if len(envelopes) != len(appends):
            raise ValueError("append_many takes each case stream at most once")
        try:
            async with _atomic(connection):
                rows = await connection.fetch(*_statement(envelopes, appends))
                stored = {row["event_id"] for row in rows}
        except asyncpg.UniqueViolationError:
            # A concurrent writer got in between the version check and the insert, or a key repeats:
            # fall back to one stream at a time so that each stream gets its own answer.
            if len(appends) == 1:
                stored = set()
            else:
                results: list[Appended | VersionConflictError] = []
                for single in appends:
                    results.extend(await self.append_many([single], connection=connection))
                return results
        results = []
        for append in appends:
            mine = envelopes[append.case_id]
            if all(envelope.event_id in stored for envelope in mine):
                results.append(Appended(append.case_id, tuple(mine)))
            else:
                results.append(await self._not_appended(connection, append))
        return results

    async def _not_appended(self, connection: Connection, append: Append) -> Appended | VersionConflictError:
        keys = [event.idempotency_key for event in append.events]
        rows = await connection.fetch(
            f"{_SELECT} WHERE case_id = $1 AND idempotency_key = ANY($2::text[]) ORDER BY version",
            append.case_id, keys,
        )  # fmt: skip
        if rows:
            return Appended(append.case_id, tuple(_envelope(row) for row in rows), duplicate=True)
        current = await connection.fetchval(
            "SELECT coalesce(max(version), 0) FROM events WHERE case_id = $1", append.case_id
        )
        return VersionConflictError(append.case_id, append.expected_version, int(current))

    async def read_stream(self, case_id: UUID, *, connection: Connection | None = None) -> list[Envelope]:
        """The case's events in version order (empty for an unknown case)."""
        streams = await self.read_streams([case_id], connection=connection)
        return streams.get(case_id, [])

    async def read_streams(
        self, case_ids: Sequence[UUID], *, connection: Connection | None = None
    ) -> dict[UUID, list[Envelope]]:
        """Several streams in one query, for handlers that decide on a batch of cases."""
        query = f"{_SELECT} WHERE case_id = ANY($1::uuid[]) ORDER BY case_id, version"
        rows = await (connection or self._pool).fetch(query, list(case_ids))
        streams: dict[UUID, list[Envelope]] = defaultdict(list)
        for row in rows:
            streams[row["case_id"]].append(_envelope(row))
        return dict(streams)

    async def read_all(
        self, after_position: int = 0, limit: int = 1000, *, connection: Connection | None = None
    ) -> list[StoredEvent]:
        """Events in position order after ``after_position``, for replays and projections."""
        rows = await (connection or self._pool).fetch(
            f"{_SELECT} WHERE position > $1 ORDER BY position LIMIT $2", after_position, limit
        )
        return [StoredEvent(row["position"], _envelope(row)) for row in rows]

    async def find_by_key(
        self, case_id: UUID, idempotency_key: str, *, connection: Connection | None = None
    ) -> Envelope | None:
        """The event a writer already stored under ``idempotency_key`` in this stream, if any."""
        row = await (connection or self._pool).fetchrow(
            f"{_SELECT} WHERE case_id = $1 AND idempotency_key = $2", case_id, idempotency_key
        )
        return None if row is None else _envelope(row)


def _atomic(connection: Connection) -> Any:
    """A savepoint inside the caller's transaction; nothing outside one (the statement is atomic itself)."""
    if connection.is_in_transaction():
        return connection.transaction()
    return _NoTransaction()


class _NoTransaction:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        return None


def _envelopes(append: Append) -> list[Envelope]:
    return [
        event.envelope(append.case_id, append.expected_version + i)
        for i, event in enumerate(append.events, 1)
    ]


def _statement(envelopes: dict[UUID, list[Envelope]], appends: Sequence[Append]) -> list[Any]:
    """The append statement and its arguments: one row's values, or a column array per field."""
    rows = [
        _row(append, event, envelope)
        for append in appends
        for event, envelope in zip(append.events, envelopes[append.case_id], strict=True)
    ]
    if len(rows) == 1:
        return [_APPEND_ONE, *rows[0]]
    return [_APPEND, *(list(column) for column in zip(*rows, strict=True))]


def _row(append: Append, event: NewEvent, envelope: Envelope) -> tuple[Any, ...]:
    return (
        envelope.case_id, append.expected_version, envelope.event_id, envelope.version, envelope.type,
        envelope.schema_version, event.idempotency_key, envelope.occurred_at, envelope.producer,
        envelope.causation_id, envelope.correlation_id, envelope.actor.kind, envelope.actor.id,
        encode_envelope(envelope).decode(),
    )  # fmt: skip


def _envelope(row: asyncpg.Record) -> Envelope:
    return Envelope.model_validate(
        {
            "event_id": row["event_id"], "type": row["type"], "schema_version": row["schema_version"],
            "case_id": row["case_id"], "version": row["version"], "occurred_at": row["occurred_at"],
            "producer": row["producer"], "causation_id": row["causation_id"],
            "correlation_id": row["correlation_id"],
            "actor": {"kind": row["actor_kind"], "id": row["actor_id"]},
            "data": json.loads(row["data"]),
        }
    )  # fmt: skip
