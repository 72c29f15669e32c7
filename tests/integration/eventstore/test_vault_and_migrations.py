"""The personal-data vault, and migrations that several processes may run at once."""

import asyncio
import uuid

import asyncpg
import pytest

from shared.eventstore import EVENT_STORE, CitizenContact, PersonalDataVault, migrate

pytestmark = pytest.mark.integration


async def test_contacts_are_kept_read_and_erased(pool: asyncpg.Pool) -> None:
    vault = PersonalDataVault(pool)
    citizen = CitizenContact(citizen_id=uuid.uuid4(), name="សុខ ចាន់", phone="+85512345678", language="km")
    await vault.put(citizen)
    assert await vault.get(citizen.citizen_id) == citizen
    await vault.put(CitizenContact(citizen_id=citizen.citizen_id, facebook_psid="psid-1", language="km"))
    updated = await vault.get(citizen.citizen_id)
    assert updated is not None
    assert (updated.name, updated.phone, updated.facebook_psid) == ("សុខ ចាន់", "+85512345678", "psid-1")
    assert await vault.erase(citizen.citizen_id)
    assert await vault.get(citizen.citizen_id) is None
    assert not await vault.erase(citizen.citizen_id)


def test_a_contact_never_shows_itself_in_logs() -> None:
    citizen = CitizenContact(citizen_id=uuid.uuid4(), name="Dara", phone="+85512345678")
    assert "+85512345678" not in repr(citizen)
    assert "Dara" not in f"{citizen}"


async def test_migrations_from_several_processes_at_once_apply_once(database_url: str) -> None:
    async def start_up() -> list[str]:
        connection = await asyncpg.connect(database_url)
        try:
            return await migrate(connection, [EVENT_STORE])
        finally:
            await connection.close()

    results = await asyncio.gather(*(start_up() for _ in range(6)))
    applied = [name for result in results for name in result]
    assert applied == ["eventstore/0001_event_store.sql", "eventstore/0002_outbox_event_type.sql"]
    connection = await asyncpg.connect(database_url)
    try:
        assert await connection.fetchval("SELECT count(*) FROM schema_migrations") == 2
    finally:
        await connection.close()
