"""`python -m cli dlq list|replay` on the real broker: letters listed without their values, sent back to
their source once, and a consumer group's letters handled by that group alone (docs/operations.md
§Replaying dead letters)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Callable

import asyncpg
import pytest

from shared.localstack.kafka import PROJECT_ROOT
from shared.messaging.consumer import Batch, CaseEventConsumer
from shared.messaging.dlq import DeadLetter, DeadLetterPublisher, FieldError
from shared.messaging.dlq_replay import DeadLetters
from shared.service.infrastructure import Infrastructure
from shared.service.topics import Topics
from shared.testing.kafka import at_least, eventually, read_topic
from tests.integration.intake.harness import running_intake
from tests.integration.test_case_event_consumer import append_replies, relay, service_for
from tests.unit.intake.samples import NAME, encode, submission

pytestmark = pytest.mark.integration

PHONE = "+85512888777"


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "cli", "dlq", *args], cwd=PROJECT_ROOT, env={**os.environ, **env},
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    return done.stdout


async def test_submissions_listed_without_values_and_replayed_once(
    service_env: dict[str, str], kafka_bootstrap: str
) -> None:
    async with running_intake(service_env) as intake:
        topics = intake.topics
        # Letters an intake wrote before the cause was fixed (say, a district the gazetteer lacked then).
        values = [encode(submission(channel_message_id=f"fixed-{n}", citizen={"name": NAME, "phone": PHONE}))
                  for n in range(3)]  # fmt: skip
        letters = [
            DeadLetter(topics.submissions, 0, n, f"fixed-{n}".encode(), value,
                       (FieldError("location.district", "no district has this code or name"),))
            for n, value in enumerate(values)
        ]  # fmt: skip
        await DeadLetterPublisher(topics.submissions_dlq, intake.infra.metrics.dlq_messages).publish(
            intake.infra.producer.client, letters
        )

        listed = await asyncio.to_thread(cli, service_env, "list", "complaints.submissions.dlq")
        assert "location.district: no district has this code or name" in listed
        assert f"{topics.submissions}/0/2" in listed
        assert "3 dead letters, 3 not replayed" in listed
        assert NAME not in listed
        assert PHONE not in listed
        assert "fixed-" not in listed  # a key that is no case id is shown by its size only

        replayed = await asyncio.to_thread(cli, service_env, "replay", "complaints.submissions.dlq")
        assert "replayed 3 dead letters" in replayed

        async def filed() -> bool:
            query = "SELECT count(*) FROM events WHERE data->>'channel_message_id' LIKE 'fixed-%'"
            return bool(await intake.pool.fetchval(query) == 3)

        assert await eventually(filed, within=60)
        again = await asyncio.to_thread(cli, service_env, "replay", "complaints.submissions.dlq")
        assert "replayed 0 dead letters" in again
        assert "3 dead letters, 0 not replayed" in await asyncio.to_thread(
            cli, service_env, "list", "complaints.submissions.dlq"
        )
    sent = await read_topic(kafka_bootstrap, topics.submissions, until=at_least(4), within=5)
    assert len(sent) == 3  # each letter went back once


class Effects:
    """A handler recording each event in its own table; refusing ``fragile`` events while ``broken``."""

    event_types = frozenset({"CitizenReplied"})

    def __init__(self, table: str) -> None:
        self.table = table
        self.broken = False

    async def handle(self, batch: Batch) -> None:
        if self.broken and any(event.data["text"] == "fragile" for event in batch.events):
            raise ValueError("a bug since fixed")
        ids = [event.event_id for event in batch.events]
        await batch.connection.execute(f"INSERT INTO {self.table} SELECT unnest($1::uuid[])", ids)


def group(name: str, handler: Effects) -> Callable[[Infrastructure], CaseEventConsumer]:
    return lambda infra: CaseEventConsumer(infra, name, handler)


async def counts(pool: asyncpg.Pool, table: str) -> dict[uuid.UUID, int]:
    rows = await pool.fetch(f"SELECT event_id, count(*) AS n FROM {table} GROUP BY event_id")
    return {row["event_id"]: row["n"] for row in rows}


async def test_a_groups_letters_are_handled_again_by_that_group_alone(
    service_env: dict[str, str], pool: asyncpg.Pool, kafka_bootstrap: str, topic_prefix: str
) -> None:
    await pool.execute(
        "CREATE TABLE effects_a (event_id uuid NOT NULL); CREATE TABLE effects_b (event_id uuid)"
    )
    a, b = Effects("effects_a"), Effects("effects_b")
    a.broken = True
    service = service_for(service_env, relay, group("group-a", a), group("group-b", b))
    async with service.running():
        await append_replies(service.infrastructure.database.event_store, ["fine", "fragile", "fine too"])
        topics = Topics(topic_prefix)
        await read_topic(kafka_bootstrap, topics.dlq_for_group("group-a"), until=at_least(1))

        async def settled() -> bool:
            return len(await counts(pool, "effects_a")) == 2 and len(await counts(pool, "effects_b")) == 3

        assert await eventually(settled, within=60)
        a.broken = False  # the cause is fixed
        letters = DeadLetters(kafka_bootstrap, topics, "group-a.dlq")
        assert (await letters.replay(service_env["DATABASE_URL"])).sent == 1

        async def handled_by_a() -> bool:
            return len(await counts(pool, "effects_a")) == 3

        assert await eventually(handled_by_a, within=60)
        assert (await letters.replay(service_env["DATABASE_URL"])).sent == 0
        assert [letter.replayed for letter in await letters.list()] == [True]
        skipped = {"group": "group-b", "outcome": "ignored"}
        registry = service.infrastructure.registry
        assert await eventually(
            lambda: (registry.get_sample_value("consumer_events_total", skipped) or 0) >= 1
        )
    assert set((await counts(pool, "effects_a")).values()) == {1}
    assert set((await counts(pool, "effects_b")).values()) == {1}
