"""Firing on PostgreSQL with the time passed in: racing the unit's answer and another replica."""

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from prometheus_client import CollectorRegistry

from services.sla import deadlines
from services.sla.bootstrap import MIGRATIONS
from services.sla.domain.policy import SlaPolicy, load_policy
from services.sla.firing import Firing
from services.sla.projector import DeadlineProjection
from services.sla.units import EscalationUnits
from shared.eventstore import PostgresEventStore, migrate
from shared.messaging.consumer import Batch
from shared.places.gazetteer import load_gazetteer
from shared.places.units_file import load_units
from shared.service.metrics import CommonMetrics
from tests.integration.sla.cases import (
    DEPLOY,
    acknowledged,
    append,
    assigned,
    deadline,
    filed,
    new_cases,
    write_policy,
)

pytestmark = pytest.mark.integration
T0 = datetime.now(UTC).replace(microsecond=0)
# The acknowledgement (2 s) is due, the resolution (60 s) is not.
NOW = T0 + timedelta(seconds=2.5)


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> SlaPolicy:
    return load_policy(write_policy(tmp_path_factory.mktemp("policy")))


@pytest.fixture(scope="module")
def firing(policy: SlaPolicy) -> Firing:
    registry = load_units(DEPLOY / "units.yaml", load_gazetteer())
    conflicts = CommonMetrics(CollectorRegistry()).event_store_conflicts.labels(writer="sla")
    return Firing(policy, EscalationUnits(registry, policy.ladder), conflicts)


@pytest.fixture
async def store(pool: asyncpg.Pool) -> PostgresEventStore:
    async with pool.acquire() as connection:
        await migrate(connection, [MIGRATIONS])
    return PostgresEventStore(pool)


async def a_case(pool: asyncpg.Pool, store: PostgresEventStore, policy: SlaPolicy) -> uuid.UUID:
    """A theft assigned at T0, its deadline row written as the consumer writes it."""
    [case_id] = await new_cases(store, 1, lambda: [filed(at=T0), assigned(T0)])
    async with pool.acquire() as connection, connection.transaction():
        await DeadlineProjection(policy).handle(Batch(connection, store, await store.read_stream(case_id)))
    return case_id


async def types(store: PostgresEventStore, case_id: uuid.UUID) -> list[str]:
    return [e.type for e in await store.read_stream(case_id)]


async def test_an_acknowledgement_that_lands_first_wins(
    pool: asyncpg.Pool, store: PostgresEventStore, policy: SlaPolicy, firing: Firing
) -> None:
    case_id = await a_case(pool, store, policy)
    async with pool.acquire() as connection, connection.transaction():
        assert await deadlines.claim_due(connection, NOW, 10) == [case_id]
        cases = await firing.load(connection, store, [case_id])
        # The unit acknowledges between the timer's read and its append.
        await append(store, case_id, acknowledged(T0 + timedelta(seconds=2.4)))
        fired = await firing.settle(connection, store, cases, NOW)

    assert (fired.conflicts, fired.breaches, fired.escalations) == (1, [], [])
    assert await types(store, case_id) == ["ComplaintFiled", "CaseAssigned", "CaseAcknowledged"]
    row = await deadline(pool, case_id)
    assert row is not None
    assert (row["clock"], row["due_at"], row["version"]) == ("resolution", T0 + timedelta(seconds=60), 3)


async def test_two_deciders_on_the_same_stream_store_one_breach_and_one_escalation(
    pool: asyncpg.Pool, store: PostgresEventStore, policy: SlaPolicy, firing: Firing
) -> None:
    case_id = await a_case(pool, store, policy)
    # Two replicas read the same version of the stream; they append one after the other.
    async with pool.acquire() as first, pool.acquire() as second:
        first_cases = await firing.load(first, store, [case_id])
        second_cases = await firing.load(second, store, [case_id])
        async with first.transaction():
            fired_first = await firing.settle(first, store, first_cases, NOW)
        async with second.transaction():
            fired_second = await firing.settle(second, store, second_cases, NOW)

    assert [(b.clock, b.level) for b in fired_first.breaches] == [("acknowledgement", 0)]
    assert [(e.to_level, e.reason) for e in fired_first.escalations] == [(1, "unanswered")]
    assert (fired_second.conflicts, fired_second.breaches, fired_second.escalations) == (1, [], [])
    assert await types(store, case_id) == ["ComplaintFiled", "CaseAssigned", "SlaBreached", "CaseEscalated"]
    row = await deadline(pool, case_id)
    assert row is not None
    assert (row["level"], row["unit_id"], row["version"]) == (1, "provincial-police:KH-12", 4)


async def test_nothing_due_claims_nothing(
    pool: asyncpg.Pool, store: PostgresEventStore, policy: SlaPolicy
) -> None:
    await a_case(pool, store, policy)
    async with pool.acquire() as connection, connection.transaction():
        assert await deadlines.claim_due(connection, T0 + timedelta(seconds=1), 10) == []


async def test_a_row_never_goes_back_to_an_older_view_of_its_case(
    pool: asyncpg.Pool, store: PostgresEventStore, policy: SlaPolicy
) -> None:
    case_id = await a_case(pool, store, policy)
    stale = await store.read_stream(case_id)
    await append(store, case_id, acknowledged(T0 + timedelta(seconds=1)))
    projection = DeadlineProjection(policy)
    async with pool.acquire() as connection, connection.transaction():
        await projection.handle(Batch(connection, store, stale))  # reads the stream as it is now
    row = await deadline(pool, case_id)
    assert row is not None
    assert (row["clock"], row["version"]) == ("resolution", 3)
    # A writer holding an older view (version 2) changes nothing.
    async with pool.acquire() as connection:
        old = deadlines.DeadlineRow(case_id, 2, None)
        await deadlines.save(connection, [old])
    assert await deadline(pool, case_id) == row
