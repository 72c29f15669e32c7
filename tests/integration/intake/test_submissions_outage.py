"""A database that refuses writes is an outage: intake holds its partition, shows it on ``/readyz``, dead-
letters nothing healthy, and files everything once the database writes again (docs/operations.md §What
counts as an outage)."""

from __future__ import annotations

import json

import asyncpg
import pytest

from shared.testing.kafka import at_least, eventually, produce, read_topic
from tests.integration.intake.harness import running_intake
from tests.unit.intake.samples import encode, submission

pytestmark = pytest.mark.integration

GOOD = 20


async def read_only(admin: asyncpg.Connection, on: bool) -> None:
    """Make every session of the test's database read-only (SQLSTATE 25006 on each write), or writable
    again; the sessions open now are ended, so that the pools reconnect under the new default."""
    database = await admin.fetchval("SELECT current_database()")
    setting = "SET default_transaction_read_only = on" if on else "RESET default_transaction_read_only"
    await admin.execute(f'ALTER DATABASE "{database}" {setting}')
    await admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )


async def test_a_read_only_database_holds_the_partition_and_dead_letters_nothing_healthy(
    service_env: dict[str, str], kafka_bootstrap: str
) -> None:
    async with running_intake(service_env, consumer_stuck_after_seconds=1.0) as intake:
        admin = await asyncpg.connect(service_env["DATABASE_URL"])
        try:
            await read_only(admin, on=True)
            key = b"one-partition"  # the bad one last: it waits behind the held batch, never beside it
            bad = encode(submission(channel_message_id="bad", location={"province": "Atlantis"}))
            good = [encode(submission(channel_message_id=f"good-{n}")) for n in range(GOOD)]
            await produce(
                kafka_bootstrap, intake.topics.submissions, [(key, value) for value in [*good, bad]]
            )

            async def held() -> bool:
                answer = await intake.client.get("/readyz")
                return answer.status_code == 503 and "consumer:intake" in answer.text

            assert await eventually(held, within=30), "intake never showed it was holding its batch"
            assert intake.metric("dlq_messages_total", topic=intake.topics.submissions_dlq) == 0
            await read_only(admin, on=False)

            async def all_filed() -> bool:
                query = "SELECT count(*) FROM events WHERE type = 'ComplaintFiled'"
                return bool(await admin.fetchval(query) == GOOD)

            async def ready() -> bool:
                return (await intake.client.get("/readyz")).status_code == 200

            assert await eventually(all_filed, within=60)
            letters = await read_topic(kafka_bootstrap, intake.topics.submissions_dlq, until=at_least(1))
            assert [
                [reason["field"] for reason in json.loads(dict(letter.headers)["error"])]
                for letter in letters
            ] == [["location.province"]]
            assert intake.metric("dlq_messages_total", topic=intake.topics.submissions_dlq) == 1
            assert await eventually(ready, within=30)
        finally:
            await read_only(admin, on=False)
            await admin.close()
