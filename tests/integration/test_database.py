"""The shared pool hands connections back without asyncpg's reset query, and never leaks a transaction."""

from __future__ import annotations

import pytest

from shared.service.database import create_pool

pytestmark = pytest.mark.integration


async def test_a_connection_released_inside_a_transaction_comes_back_rolled_back(database_url: str) -> None:
    async with create_pool(database_url, min_size=1, max_size=1) as pool:
        await pool.execute("CREATE TABLE notes (text text)")
        async with pool.acquire() as connection:
            await connection.execute("BEGIN")
            await connection.execute("INSERT INTO notes VALUES ('never committed')")
        async with pool.acquire() as connection:
            assert not connection.is_in_transaction()
            assert await connection.fetchval("SELECT count(*) FROM notes") == 0


async def test_a_release_sends_no_reset_query(database_url: str) -> None:
    async with create_pool(database_url, min_size=1, max_size=1) as pool:
        async with pool.acquire() as connection:
            await connection.execute("SET application_name = 'kept'")
        # asyncpg's default reset would have run RESET ALL here.
        assert await pool.fetchval("SHOW application_name") == "kept"
