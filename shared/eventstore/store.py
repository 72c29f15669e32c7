"""The PostgreSQL event store: optimistic, idempotent appends with their outbox rows, and reads."""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Protocol
from uuid import UUID

import asyncpg

from shared.events import Envelope, NewEvent, data_json
from shared.eventstore.port import (
    Append,
    Appended,
    Connection,
    EventStore,
    StoredEvent,
    VersionConflictError,
    version_of,
)

# The values of the port, still importable from here.
__all__ = [
    "Append",
    "Appended",
    "Connection",
    "HasPool",
    "PostgresEventStore",
    "StoredEvent",
    "VersionConflictError",
]

_COLUMNS = (
    "case_id, version, event_id, type, schema_version, idempotency_key, occurred_at, producer, "
    "causation_id, correlation_id, actor_kind, actor_id, data"
)
_EVENT_COLUMNS = tuple(_COLUMNS.split(", "))

# The commonest append, one event to one stream, in one statement and one round trip: the event goes in only
# if the stream is at the version its writer expected, and its outbox row with it.
_APPEND_ONE = f"""
WITH stored AS (
    INSERT INTO events ({_COLUMNS})
    SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb
    WHERE (SELECT coalesce(max(version), 0) FROM events WHERE case_id = $1) = $14
    RETURNING event_id
), queued AS (
    INSERT INTO outbox (event_ids) SELECT ARRAY[event_id] FROM stored
)
SELECT event_id FROM stored
"""

# Several events to streams being extended, in one statement: a stream's events go in only if it is at the
# version its writer expected (a scalar max() per stream: an index probe whatever plan is cached), a stream
# that moved on is left out without failing the others, and one outbox row names what was stored.
_APPEND = f"""
WITH new AS (
    SELECT * FROM unnest($1::uuid[], $2::int[], $3::uuid[], $4::text[], $5::int[], $6::text[],
                         $7::timestamptz[], $8::text[], $9::uuid[], $10::uuid[], $11::text[], $12::text[],
                         $13::text[], $14::int[])
        AS n({_COLUMNS}, expected)
), current_version AS (
    SELECT s.case_id,
           coalesce((SELECT max(e.version) FROM events e WHERE e.case_id = s.case_id), 0) AS version
    FROM (SELECT DISTINCT case_id FROM new) s
), accepted AS (
    SELECT new.* FROM new JOIN current_version c ON c.case_id = new.case_id AND c.version = new.expected
), stored AS (
    INSERT INTO events ({_COLUMNS})
    SELECT case_id, version, event_id, type, schema_version, idempotency_key, occurred_at, producer,
           causation_id, correlation_id, actor_kind, actor_id, data::jsonb
    FROM accepted ORDER BY case_id, version
    RETURNING event_id, case_id, version
), queued AS (
    INSERT INTO outbox (event_ids)
    SELECT array_agg(event_id ORDER BY case_id, version) FROM stored HAVING count(*) > 0
)
SELECT event_id FROM stored
"""
# The versions that appends without one go on.
_VERSIONS = (
    "SELECT case_id, max(version) AS version FROM events WHERE case_id = ANY($1::uuid[]) GROUP BY case_id"
)
# New streams are written by binary COPY instead (see _write), and their outbox row by this.
_QUEUE = "INSERT INTO outbox (event_ids) VALUES ($1)"

_SELECT = f"SELECT position, {_COLUMNS} FROM events"


class HasPool(Protocol):
    """What holds a service's pool once it is open (its database handle)."""

    @property
    def pool(self) -> asyncpg.Pool: ...


class PostgresEventStore(EventStore):
    """Case streams in PostgreSQL (the ``events`` and ``outbox`` tables of ``sql/``): each append stores its
    events and, in the same transaction, one outbox row naming them in stream order for the relay.

    Every method takes an optional ``connection``: pass one inside a transaction to make the append part
    of it (a consumer's tracking row, the vault row of a filing); without one, the pool is used.

    ``pool`` is the pool, or what holds it (a service's database handle, ``HasPool``), asked for it on
    each call: a use case is given its store when it is built, before the service opens its pool.
    """

    def __init__(self, pool: asyncpg.Pool | HasPool) -> None:
        self._source = pool

    @property
    def _pool(self) -> asyncpg.Pool:
        source = self._source
        return source if isinstance(source, asyncpg.Pool) else source.pool

    async def append_many(
        self, appends: Sequence[Append], *, connection: Connection | None = None
    ) -> list[Appended | VersionConflictError]:
        """All in one transaction."""
        if connection is None:
            async with self._pool.acquire() as acquired:
                return await self.append_many(appends, connection=acquired)
        if len({append.case_id for append in appends}) != len(appends):
            raise ValueError("append_many takes each case stream at most once")
        if any(append.expected_version is None for append in appends):
            appends = await _on_top(connection, appends)
        try:
            stored = await _write(connection, appends)
        except asyncpg.UniqueViolationError:
            # A key repeats, or a concurrent writer got in between the version check and the insert: one
            # stream at a time, so that each stream gets its own answer.
            if len(appends) > 1:
                results: list[Appended | VersionConflictError] = []
                for single in appends:
                    results.extend(await self.append_many([single], connection=connection))
                return results
            stored = set()
        results = []
        for append in appends:
            # A stream's events are stored all together or not at all: its first one tells.
            if not append.events or append.events[0].event_id in stored:
                results.append(Appended(append.case_id, append))
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
        return VersionConflictError(append.case_id, version_of(append), int(current))

    async def read_stream(self, case_id: UUID, *, connection: Connection | None = None) -> list[Envelope]:
        streams = await self.read_streams([case_id], connection=connection)
        return streams.get(case_id, [])

    async def read_streams(
        self, case_ids: Sequence[UUID], *, connection: Connection | None = None
    ) -> dict[UUID, list[Envelope]]:
        """In one query."""
        query = f"{_SELECT} WHERE case_id = ANY($1::uuid[]) ORDER BY case_id, version"
        rows = await (connection or self._pool).fetch(query, list(case_ids))
        streams: dict[UUID, list[Envelope]] = defaultdict(list)
        for row in rows:
            streams[row["case_id"]].append(_envelope(row))
        return dict(streams)

    async def read_all(
        self, after_position: int = 0, limit: int = 1000, *, connection: Connection | None = None
    ) -> list[StoredEvent]:
        rows = await (connection or self._pool).fetch(
            f"{_SELECT} WHERE position > $1 ORDER BY position LIMIT $2", after_position, limit
        )
        return [StoredEvent(row["position"], _envelope(row)) for row in rows]

    async def find_by_key(
        self, case_id: UUID, idempotency_key: str, *, connection: Connection | None = None
    ) -> Envelope | None:
        row = await (connection or self._pool).fetchrow(
            f"{_SELECT} WHERE case_id = $1 AND idempotency_key = $2", case_id, idempotency_key
        )
        return None if row is None else _envelope(row)


async def _write(connection: Connection, appends: Sequence[Append]) -> set[UUID]:
    """Store what can be stored, with one outbox row naming it, all or nothing per stream; the ids stored.

    One event: one single-row statement that checks the version itself. New streams only (a filing batch):
    binary COPY into ``events`` and one row into ``outbox``, the fastest way into PostgreSQL, where the unique
    ``(case_id, version)`` is the whole check (a repeated filing fails it and is answered stream by stream).
    Streams being extended, which other writers extend too: the unnest statement, which leaves a stream that
    moved on out without failing the others. COPY has a fixed cost per statement that makes it the dearer
    one for the few events a consumer usually appends.
    """
    rows = [
        _row(append.case_id, version, event)
        for append in appends
        for version, event in enumerate(append.events, version_of(append) + 1)
    ]
    if not rows:
        return set()
    single = len(rows) == 1
    fresh = not single and all(append.expected_version == 0 for append in appends)
    # COPY and its outbox row are two statements, so always in a transaction; inside the caller's, a
    # savepoint keeps a refused insert from aborting it.
    atomic = connection.transaction() if fresh or connection.is_in_transaction() else contextlib.nullcontext()
    async with atomic:
        if single:
            (append,) = (append for append in appends if append.events)
            stored = await connection.fetchval(_APPEND_ONE, *rows[0], version_of(append))
            return set() if stored is None else {stored}
        if fresh:
            await connection.copy_records_to_table("events", records=rows, columns=_EVENT_COLUMNS)
            event_ids = [row[2] for row in rows]  # each stream's in version order
            await connection.execute(_QUEUE, event_ids)
            return set(event_ids)
        expected = [version_of(append) for append in appends for _ in append.events]
        columns = [list(column) for column in zip(*rows, strict=True)]
        found = await connection.fetch(_APPEND, *columns, expected)
        return {row["event_id"] for row in found}


async def _on_top(connection: Connection, appends: Sequence[Append]) -> list[Append]:
    """``appends``, those without a version given their stream's current one (a writer that gets in between
    makes the append conflict, as with any version)."""
    on_top = [append.case_id for append in appends if append.expected_version is None]
    rows = await connection.fetch(_VERSIONS, on_top)
    versions = {row["case_id"]: row["version"] for row in rows}
    return [
        append
        if append.expected_version is not None
        else replace(append, expected_version=versions.get(append.case_id, 0))
        for append in appends
    ]


def _row(case_id: UUID, version: int, event: NewEvent) -> tuple[Any, ...]:
    """The event's ``events`` row (``_EVENT_COLUMNS``), as its envelope would give it."""
    data = event.data
    return (
        case_id, version, event.event_id, data.type_name(), data.schema_version, event.idempotency_key,
        event.occurred_at, event.producer, event.causation_id, event.correlation_id, event.actor.kind,
        event.actor.id, data_json(data),
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
