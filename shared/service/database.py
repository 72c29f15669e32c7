"""The asyncpg pool every service and benchmark opens on PostgreSQL."""

from __future__ import annotations

from typing import Any

import asyncpg


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
