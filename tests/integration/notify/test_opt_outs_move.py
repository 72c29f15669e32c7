"""Notify's migration 0002: the opt-outs of the old unkeyed table are re-keyed where the number can be named
again (the vault, the units file), and the old table is dropped."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import asyncpg
import pytest

from services.intake.bootstrap import MIGRATIONS as INTAKE
from services.intake.vault import PersonalDataVault
from services.notify.bootstrap import MIGRATIONS as NOTIFY
from services.notify.opt_outs import OldOptOutsMove
from shared.contacts import CitizenContact
from shared.eventstore import EVENT_STORE, migrate
from shared.privacy import PRIVACY, KeyedDigest, OptOuts

pytestmark = pytest.mark.integration
FIRST = Path(NOTIFY.folder, "0001_notifications.sql")


class Database:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool


async def test_old_opt_outs_are_re_keyed_where_the_number_is_known_and_the_old_table_dropped(
    pool: asyncpg.Pool,
) -> None:
    citizen, unit, forgotten = "+85512000001", "+85512000002", "+85512000003"
    async with pool.acquire() as connection:
        await migrate(connection, [EVENT_STORE, INTAKE])
        # The database as notify's first migration left it, with three opted-out numbers.
        await connection.execute(FIRST.read_text())  # noqa: ASYNC240 (a small file, once)
        await connection.execute(
            "INSERT INTO schema_migrations (component, version, name) VALUES ('notify', 1, $1)", FIRST.name
        )
        await connection.executemany(
            "INSERT INTO sms_opt_outs (phone_sha256, source) VALUES ($1, $2)",
            [(hashlib.sha256(p.encode()).hexdigest(), "provider:21610") for p in (citizen, unit, forgotten)],
        )
    await PersonalDataVault(pool).put(CitizenContact(citizen_id=uuid.uuid4(), phone=citizen))
    async with pool.acquire() as connection:
        await migrate(connection, [PRIVACY, NOTIFY])
    opt_outs = OptOuts(KeyedDigest.of("a-test-key-of-16-chars"))
    await OldOptOutsMove(Database(pool), opt_outs, [unit]).start()
    await OldOptOutsMove(Database(pool), opt_outs, [unit]).start()  # a second replica finds nothing to do

    async with pool.acquire() as connection:
        assert await opt_outs.opted_out(connection, [citizen, unit, forgotten]) == {citizen, unit}
        assert await connection.fetchval("SELECT to_regclass('sms_opt_outs_unkeyed')") is None
        assert await connection.fetchval("SELECT to_regclass('sms_opt_outs')") is None
        stored = {
            row["address_digest"] for row in await connection.fetch("SELECT address_digest FROM opt_outs")
        }
    assert not stored & {hashlib.sha256(p.encode()).hexdigest() for p in (citizen, unit)}
