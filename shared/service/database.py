"""The asyncpg pool every service and benchmark opens on PostgreSQL, and the handle a service holds it by."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from shared.eventstore.store import PostgresEventStore


async def _keep_session(connection: asyncpg.Connection[Any]) -> None:
    """Hand a released connection back as it is (asyncpg still rolls back an open transaction).

    asyncpg's default reset sends ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`` on every
    release: a second round trip for each one-statement use of the pool, and about a quarter of the client
    and server time of a single-event append. Nothing here leaves session state on a pooled connection:
    advisory locks are taken with ``pg_advisory_xact_lock`` (released at commit), no code runs ``SET`` or
    ``LISTEN`` on one, and the relay holds its session lock on a connection of its own.
    """


def create_pool(url: str, *, min_size: int = 1, max_size: int = 10, **options: Any) -> asyncpg.Pool:
    """``asyncpg.create_pool`` without the per-release reset query; await it or use ``async with``."""
    return asyncpg.create_pool(url, min_size=min_size, max_size=max_size, reset=_keep_session, **options)


class Database:
    """A handle on the service's PostgreSQL: made before anything connects, its pool opened at start.

    Components are given the handle when they are built and use :attr:`pool` while they run.
    """

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.pool_size = pool_size
        self._pool: asyncpg.Pool | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the database pool is opened when the service starts")
        return self._pool

    @property
    def event_store(self) -> PostgresEventStore:
        """The event store on this database; it asks for the pool when it is used, so it may be handed
        out before the service starts."""
        return PostgresEventStore(self)

    async def open(self) -> None:
        self._pool = await create_pool(self.url, min_size=1, max_size=self.pool_size, command_timeout=60)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def answers(self, within: float) -> bool:
        """Whether PostgreSQL answers a query on the pool within ``within`` seconds."""
        if self._pool is None:
            return False
        try:
            async with asyncio.timeout(within):
                return bool(await self._pool.fetchval("SELECT 1") == 1)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
            return False
