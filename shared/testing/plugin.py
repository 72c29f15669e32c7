"""pytest fixtures: one broker and one PostgreSQL cluster per session, fresh topics and database per test.

Loaded from ``tests/conftest.py``. The servers stop at the end of the session, also when tests fail.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path

import asyncpg
import pytest
import uvloop

from shared.eventstore import EVENT_STORE, PostgresEventStore, migrate
from shared.service.database import create_pool
from shared.testing.servers import DEV_MODE, LocalServers, new_topic_prefix


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
    """Async tests run on the event loop the services run on (uvloop), not on asyncio's default one."""
    return {"uvloop": uvloop.new_event_loop}


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServers]:
    local = LocalServers(tmp_path_factory.mktemp("servers"))
    try:
        local.start()
        yield local
    finally:
        local.stop()


@pytest.fixture
def kafka_bootstrap(servers: LocalServers) -> str:
    return servers.kafka.bootstrap_servers


@pytest.fixture
def topic_prefix() -> str:
    return new_topic_prefix()


@pytest.fixture
def database_url(servers: LocalServers) -> str:
    return servers.new_database()


@pytest.fixture
def service_env(kafka_bootstrap: str, database_url: str, topic_prefix: str) -> dict[str, str]:
    """The environment pointing a service at this test's servers, topics and database.

    Its variables are those of docs/contract.md §Settings; the service runs in dev mode (COMPLAINTS_DEV).
    """
    return {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "DATABASE_URL": database_url,
        "TOPIC_PREFIX": topic_prefix,
        **DEV_MODE,
    }


@pytest.fixture
def isolated_servers(tmp_path: Path) -> Iterator[LocalServers]:
    """A broker and a cluster of this test's own, for tests that stop or kill a server."""
    local = LocalServers(tmp_path / "own-servers")
    try:
        local.start()
        yield local
    finally:
        local.stop()


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A connection pool on this test's database, with the event store's tables migrated."""
    async with create_pool(database_url, min_size=1, max_size=10) as created:
        async with created.acquire() as connection:
            await migrate(connection, [EVENT_STORE])
        yield created


@pytest.fixture
def event_store(pool: asyncpg.Pool) -> PostgresEventStore:
    return PostgresEventStore(pool)
