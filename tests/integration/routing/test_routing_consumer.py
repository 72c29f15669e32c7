"""The routing consumer against the real servers: one decision per filing, stated, and idempotent."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from functools import partial

import pytest

from services.routing.bootstrap import build_lifecycle
from services.routing.settings import RoutingSettings
from shared.events import Actor, CaseAssigned, Envelope, encode_envelope
from shared.events.types import UnitRef
from shared.eventstore import PostgresEventStore
from shared.service.infrastructure import Infrastructure
from shared.testing.events import complaint_filed, new_event
from shared.testing.kafka import eventually, produce

pytestmark = pytest.mark.integration


@pytest.fixture
async def routing(service_env: dict[str, str]) -> AsyncIterator[Infrastructure]:
    service = build_lifecycle(
        RoutingSettings(
            kafka_bootstrap_servers=service_env["KAFKA_BOOTSTRAP_SERVERS"],
            database_url=service_env["DATABASE_URL"],
            topic_prefix=service_env["TOPIC_PREFIX"],
        )
    )
    async with service.running():
        yield service.infrastructure


async def decisions(store: PostgresEventStore, case_id: uuid.UUID) -> list[Envelope]:
    return [e for e in await store.read_stream(case_id) if e.type in {"CaseAssigned", "CaseNeedsTriage"}]


async def test_each_filing_gets_one_stated_decision(routing: Infrastructure) -> None:
    store = routing.database.event_store
    theft, other, confidential = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    filed = await store.append(theft, 0, [new_event(complaint_filed(category="theft", district="1203"))])
    await store.append(other, 0, [new_event(complaint_filed(category="other"))])
    await store.append(
        confidential,
        0,
        [new_event(complaint_filed(category="police_misconduct", district="1203", confidential=True))],
    )
    for case_id in (theft, other, confidential):
        assert await eventually(partial(decisions, store, case_id))

    (assigned,) = await decisions(store, theft)
    assert assigned.type == "CaseAssigned"
    assert assigned.version == 2
    assert assigned.causation_id == filed.events[0].event_id
    assert assigned.data["unit"]["id"] == "police:1203"
    assert assigned.data["level"] == 0
    assert assigned.data["rule"] == "crime/district"
    assert "1203" in assigned.data["reason"]
    (triage,) = await decisions(store, other)
    assert triage.type == "CaseNeedsTriage"
    assert "triage/no-rule" in triage.data["reason"]
    (provincial,) = await decisions(store, confidential)
    assert provincial.data["unit"]["id"] == "provincial-police:KH-12"
    assert provincial.data["level"] == 1
    labels = {"outcome": "assigned", "authority_kind": "police", "province": "KH-12"}
    assert routing.registry.get_sample_value("cases_routed_total", labels) == 1


async def test_a_filing_delivered_three_times_is_decided_once(
    routing: Infrastructure, kafka_bootstrap: str
) -> None:
    store = routing.database.event_store
    case_id = uuid.uuid4()
    (filed,) = (await store.append(case_id, 0, [new_event(complaint_filed(district="1203"))])).events
    assert await eventually(lambda: decisions(store, case_id))
    topic = routing.topics.case_events
    await produce(kafka_bootstrap, topic, [(str(case_id).encode(), encode_envelope(filed))] * 2)
    duplicates = {"group": "routing", "outcome": "duplicate"}
    assert await eventually(
        lambda: routing.registry.get_sample_value("consumer_events_total", duplicates) == 2
    )
    assert len(await decisions(store, case_id)) == 1


async def test_the_working_groups_assignment_is_left_alone(routing: Infrastructure) -> None:
    store = routing.database.event_store
    case_id = uuid.uuid4()
    group = UnitRef(id="moi-working-group", kind="working_group", name="MoI working group")
    assign = CaseAssigned(unit=group, level=2, rule="working-group", reason="taken over at once")
    working_group = replace(new_event(assign), actor=Actor(kind="working_group", id="wg"))
    await store.append(case_id, 0, [new_event(complaint_filed(district="1203")), working_group])
    processed = {"group": "routing", "outcome": "handled"}
    assert await eventually(
        lambda: (routing.registry.get_sample_value("consumer_events_total", processed) or 0) >= 1
    )
    stream = await store.read_stream(case_id)
    assert [e.type for e in stream] == ["ComplaintFiled", "CaseAssigned"]
    assert stream[1].actor.kind == "working_group"
