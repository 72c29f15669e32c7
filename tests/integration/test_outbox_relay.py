"""The outbox relay: everything stored reaches case-events, keyed by case, in each case's order."""

import asyncio
import contextlib
import uuid
from collections import defaultdict
from typing import Any

import asyncpg
import pytest

from shared.events import decode_envelope
from shared.eventstore import Append, PostgresEventStore
from shared.messaging.outbox_relay import OutboxRelay
from shared.service.infrastructure import Infrastructure
from shared.service.lifecycle import Lifecycle
from shared.service.settings import ServiceSettings
from shared.testing.events import new_event
from shared.testing.kafka import at_least, eventually, read_topic

pytestmark = pytest.mark.integration


def relay_service(service_env: dict[str, str], name: str = "relay-test") -> Lifecycle:
    settings = ServiceSettings(
        kafka_bootstrap_servers=service_env["KAFKA_BOOTSTRAP_SERVERS"],
        database_url=service_env["DATABASE_URL"],
        topic_prefix=service_env["TOPIC_PREFIX"],
    )
    infra = Infrastructure.build(name, settings)
    relay = OutboxRelay(infra.database, infra.producer, infra.topics.case_events, infra.registry)
    return Lifecycle(infra, [relay])


async def fill(store: PostgresEventStore, cases: int, per_case: int) -> list[uuid.UUID]:
    """``per_case`` events for each of ``cases`` cases, appended interleaved across cases."""
    case_ids = [uuid.uuid4() for _ in range(cases)]
    for version in range(per_case):
        await store.append_many([Append(case_id, version, [new_event()]) for case_id in case_ids])
    return case_ids


def per_case_versions(records: list[Any]) -> dict[str, list[int]]:
    versions: dict[str, list[int]] = defaultdict(list)
    for record in records:
        envelope = decode_envelope(record.value)
        assert record.key == str(envelope.case_id).encode()
        versions[str(envelope.case_id)].append(envelope.version)
    return versions


async def test_stored_events_reach_kafka_keyed_and_in_case_order(
    service_env: dict[str, str], pool: asyncpg.Pool, kafka_bootstrap: str, topic_prefix: str
) -> None:
    service = relay_service(service_env)
    async with service.running():
        case_ids = await fill(service.infrastructure.database.event_store, cases=20, per_case=10)
        records = await read_topic(kafka_bootstrap, f"{topic_prefix}case-events", until=at_least(200))
        assert await eventually(lambda: pool.fetchval("SELECT count(*) = 0 FROM outbox"))
    versions = per_case_versions(records)
    assert set(versions) == {str(case_id) for case_id in case_ids}
    assert {dict(record.headers)["event-type"] for record in records} == {b"CaseNeedsTriage"}
    assert all(v == list(range(1, 11)) for v in versions.values())


async def test_one_relay_publishes_and_a_standby_takes_over(
    service_env: dict[str, str], pool: asyncpg.Pool, kafka_bootstrap: str, topic_prefix: str
) -> None:
    services = {name: relay_service(service_env, name) for name in ("first", "second")}
    stacks = {name: contextlib.AsyncExitStack() for name in services}

    def leaders() -> list[str]:
        return [
            name
            for name, service in services.items()
            if service.infrastructure.registry.get_sample_value("outbox_relay_leader") == 1
        ]

    try:
        for name, service in services.items():
            await stacks[name].enter_async_context(service.running())
        assert await eventually(lambda: len(leaders()) == 1)
        await asyncio.sleep(1.0)  # a standby tries the lock twice a second: still one leader
        (leader,) = leaders()
        (standby,) = set(services) - {leader}
        await stacks[leader].aclose()
        assert await eventually(lambda: leaders() == [standby], within=30)
        await fill(PostgresEventStore(pool), cases=5, per_case=2)
        records = await read_topic(kafka_bootstrap, f"{topic_prefix}case-events", until=at_least(10))
        assert len({decode_envelope(r.value).event_id for r in records}) == 10
    finally:
        for stack in stacks.values():
            await stack.aclose()
