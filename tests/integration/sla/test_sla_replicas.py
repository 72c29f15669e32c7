"""Two SLA replicas at once, and a case the timer cannot handle among cases it can."""

import json
import uuid
from collections import Counter
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from services.sla.bootstrap import build_lifecycle
from shared.service.lifecycle import Lifecycle
from shared.testing.kafka import eventually
from tests.integration.sla.cases import (
    assigned,
    filed,
    new_cases,
    of_type,
    sla_settings,
    write_policy,
)

pytestmark = pytest.mark.integration
CASES = 150


def breaches_counted(replica: Lifecycle) -> float:
    return sum(
        sample.value
        for metric in replica.infrastructure.registry.collect()
        if metric.name == "sla_breaches"
        for sample in metric.samples
        if sample.name == "sla_breaches_total"
    )


async def test_two_replicas_never_record_the_same_breach_twice(
    service_env: dict[str, str], tmp_path: Path
) -> None:
    # Small batches, so that both replicas' timers take part in every round of firing.
    settings = sla_settings(service_env, write_policy(tmp_path), sla_timer_batch=5, sla_timer_workers=2)
    replicas = [build_lifecycle(settings), build_lifecycle(settings)]
    async with AsyncExitStack() as stack:
        for replica in replicas:
            await stack.enter_async_context(replica.running())
        database = replicas[0].infrastructure.database
        store = database.event_store
        case_ids = await new_cases(store, CASES)

        async def all_at_the_top() -> bool:
            count = await database.pool.fetchval(
                "SELECT count(*) FROM events WHERE type = 'SlaBreached' AND data->>'clock' = 'resolution'"
            )
            return bool(count == CASES)

        assert await eventually(all_at_the_top, within=120)
        streams = await store.read_streams(case_ids)
        # Each stored breach was decided by one replica only: counted once, after its commit.
        assert await eventually(lambda: sum(breaches_counted(r) for r in replicas) == 4 * CASES)
        counted = [breaches_counted(replica) for replica in replicas]

    for stream in streams.values():
        breaches = Counter((b["clock"], b["level"]) for b in of_type(stream, "SlaBreached"))
        assert breaches == {("acknowledgement", 0): 1, ("acknowledgement", 1): 1,
                            ("acknowledgement", 2): 1, ("resolution", 2): 1}  # fmt: skip
        assert [e["level"] for e in of_type(stream, "CaseEscalated")] == [1, 2]
    assert all(counted), f"one replica fired nothing ({counted}): the test did not race them"


async def test_a_case_the_timer_cannot_handle_does_not_hold_up_the_others(
    service_env: dict[str, str], tmp_path: Path
) -> None:
    service = build_lifecycle(sla_settings(service_env, write_policy(tmp_path)))
    infra = service.infrastructure
    async with service.running():
        store, pool = infra.database.event_store, infra.database.pool
        [good] = await new_cases(store, 1, lambda: [filed(), assigned()])
        # A stream written by a buggy writer: CaseAssigned without its unit (the store trusts its writers).
        broken = uuid.uuid4()
        await pool.execute(
            """INSERT INTO events (event_id, case_id, version, type, schema_version, idempotency_key,
                   occurred_at, producer, actor_kind, actor_id, data)
               VALUES ($1, $2, 1, 'CaseAssigned', 1, 'bug', now(), 'bug', 'system', 'bug', $3::jsonb)""",
            uuid.uuid4(), broken, json.dumps({"level": 0}),
        )  # fmt: skip
        await pool.execute(
            """INSERT INTO sla_deadlines (case_id, due_at, clock, unit_id, level, version)
               VALUES ($1, now() - interval '1 second', 'acknowledgement', 'police:1201', 0, 1)""",
            broken,
        )

        async def good_escalated() -> bool:
            return bool(of_type(await store.read_stream(good), "CaseEscalated"))

        assert await eventually(good_escalated)
        assert await eventually(lambda: infra.registry.get_sample_value("sla_timer_failures_total"))
        postponed = await pool.fetchval("SELECT due_at > now() FROM sla_deadlines WHERE case_id = $1", broken)
        assert postponed
