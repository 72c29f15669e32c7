"""Projections: read models kept by a consumer and rebuildable from the event store by replay.

A projection owns its tables, is written with explicit SQL, and applies events idempotently with the
consumer's tracking. :func:`rebuild` empties its tables and applies every stored event again, in store
order, page by page, which gives the same rows as the live projection (tests check this).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import asyncpg

from shared.eventstore.store import PostgresEventStore
from shared.messaging.consumer import Batch, CaseEventHandler


class Projection(CaseEventHandler, Protocol):
    """A :class:`CaseEventHandler` that only writes its own tables."""

    @property
    def name(self) -> str:
        """The name the replay command knows it by."""

    @property
    def tables(self) -> tuple[str, ...]:
        """The tables it owns; a rebuild empties them first."""


async def rebuild(
    pool: asyncpg.Pool,
    projection: Projection,
    *,
    page_size: int = 2000,
    progress: Callable[[int], object] = lambda _: None,
) -> int:
    """Rebuild ``projection`` from every stored event; returns how many events were replayed.

    Runs in one transaction, so readers see the old rows until the new ones are complete.
    """
    store = PostgresEventStore(pool)
    wanted = projection.event_types
    replayed, after = 0, 0
    async with pool.acquire() as connection, connection.transaction():
        await connection.execute(f"TRUNCATE {', '.join(projection.tables)}")
        while page := await store.read_all(after, limit=page_size, connection=connection):
            after = page[-1].position
            events = [s.envelope for s in page if wanted is None or s.envelope.type in wanted]
            if events:
                await projection.handle(Batch(connection, store, events))
            replayed += len(page)
            progress(len(page))
    return replayed
