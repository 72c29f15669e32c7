"""Budgets counted in PostgreSQL: the limit holds per subject and window, even under concurrent takers."""

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from shared.eventstore.migrations import migrate
from shared.privacy import PRIVACY, Budget, take
from shared.privacy.budgets import forget_expired

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 6, 15, 40, tzinfo=UTC)
HOURLY = Budget("complaints-per-phone", 5, timedelta(hours=1))


@pytest.fixture
async def budgets(pool: asyncpg.Pool) -> asyncpg.Pool:
    async with pool.acquire() as connection:
        await migrate(connection, [PRIVACY])
    return pool


async def test_a_subject_gets_the_limit_then_waits_for_the_next_window(budgets: asyncpg.Pool) -> None:
    answers = [await take(budgets, HOURLY, "a", NOW) for _ in range(7)]

    assert [a.allowed for a in answers] == [True] * 5 + [False] * 2
    assert answers[-1].retry_after == timedelta(minutes=20)
    assert (await take(budgets, HOURLY, "b", NOW)).allowed
    assert (await take(budgets, HOURLY, "a", NOW + timedelta(minutes=20))).allowed


async def test_concurrent_takers_never_exceed_the_limit(budgets: asyncpg.Pool) -> None:
    async def one() -> bool:
        async with budgets.acquire() as connection:
            return (await take(connection, HOURLY, "shared", NOW)).allowed

    answers = await asyncio.gather(*(one() for _ in range(40)))

    assert sum(answers) == 5


async def test_expired_windows_are_forgotten(budgets: asyncpg.Pool) -> None:
    await take(budgets, HOURLY, "a", NOW)
    await take(budgets, HOURLY, "a", NOW + timedelta(hours=1))

    async with budgets.acquire() as connection:
        assert await forget_expired(connection, NOW + timedelta(hours=1)) == 1
        assert await connection.fetchval("SELECT count(*) FROM budget_counters") == 1
