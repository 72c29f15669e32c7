"""The personal-data vault: intake keeps, reads and erases contacts; nothing prints one."""

import uuid

import asyncpg
import pytest

from services.intake.bootstrap import MIGRATIONS
from services.intake.vault import PersonalDataVault
from shared.contacts import CitizenContact, Contacts
from shared.eventstore import migrate
from shared.service.retry import NotReadyError, is_transient

pytestmark = pytest.mark.integration


async def test_before_intake_creates_the_vault_a_reader_waits(pool: asyncpg.Pool) -> None:
    with pytest.raises(NotReadyError) as raised:
        await Contacts(pool).get(uuid.uuid4())
    assert is_transient(raised.value)


async def test_contacts_are_kept_read_and_erased(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        await migrate(connection, [MIGRATIONS])
    vault = PersonalDataVault(pool)
    citizen = CitizenContact(citizen_id=uuid.uuid4(), name="សុខ ចាន់", phone="+85512345678", language="km")
    await vault.put(citizen)
    assert await vault.get(citizen.citizen_id) == citizen
    # A write replaces the row: what a filing may change of a known citizen is decided before it
    # (services/intake/domain/citizens.py), never merged here.
    await vault.put(CitizenContact(citizen_id=citizen.citizen_id, facebook_psid="psid-1", language="en"))
    updated = await vault.get(citizen.citizen_id)
    assert updated is not None
    assert (updated.name, updated.phone, updated.facebook_psid, updated.language) == (
        None,
        None,
        "psid-1",
        "en",
    )
    assert await vault.erase(citizen.citizen_id)
    assert await vault.get(citizen.citizen_id) is None
    assert not await vault.erase(citizen.citizen_id)


def test_a_contact_never_shows_itself_in_logs() -> None:
    citizen = CitizenContact(citizen_id=uuid.uuid4(), name="Dara", phone="+85512345678")
    assert "+85512345678" not in repr(citizen)
    assert "Dara" not in f"{citizen}"
