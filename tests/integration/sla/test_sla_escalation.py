"""The SLA service in one process against the real servers, with a policy in seconds.

Upstream events are appended to the event store as intake and routing would; the service's relay publishes
them, its consumer keeps the deadlines and its timer fires them.
"""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from services.sla.bootstrap import build_lifecycle
from services.sla.domain.policy import SlaPolicy
from shared.service.infrastructure import Infrastructure
from shared.testing.kafka import eventually
from tests.integration.sla.cases import (
    FAST_POLICY,
    acknowledged,
    append,
    assigned,
    citizen_replied,
    deadline,
    filed,
    info_requested,
    new_cases,
    of_type,
    refused,
    sla_settings,
    stream_when,
    write_policy,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def sla(service_env: dict[str, str], tmp_path: Path) -> AsyncIterator[Infrastructure]:
    service = build_lifecycle(sla_settings(service_env, write_policy(tmp_path)))
    async with service.running():
        yield service.infrastructure


def sample(infra: Infrastructure, name: str, **labels: str) -> float:
    return infra.registry.get_sample_value(name, labels) or 0.0


async def test_a_case_left_alone_rises_level_by_level_to_the_working_group(sla: Infrastructure) -> None:
    store = sla.database.event_store
    [case_id] = await new_cases(store, 1)
    stream = await stream_when(store, case_id, lambda s: len(of_type(s, "SlaBreached")) == 4)

    assert [e.type for e in stream] == [
        "ComplaintFiled", "CaseAssigned",
        "SlaBreached", "CaseEscalated",  # level 0 did not acknowledge within 2 s
        "SlaBreached", "CaseEscalated",  # level 1 did not within 1 s
        "SlaBreached", "SlaBreached",  # the working group: breaches recorded, the case stays
    ]  # fmt: skip
    breaches, escalations = of_type(stream, "SlaBreached"), of_type(stream, "CaseEscalated")
    assert [(b["clock"], b["level"], b["unit_id"]) for b in breaches] == [
        ("acknowledgement", 0, "police:1201"),
        ("acknowledgement", 1, "provincial-police:KH-12"),
        ("acknowledgement", 2, "moi-working-group"),
        ("resolution", 2, "moi-working-group"),
    ]
    assert escalations == [
        {
            "from_unit": {"id": "police:1201", "kind": "police",
                          "name": "Chamkar Mon District Police Inspectorate", "province": "KH-12"},
            "to_unit": {"id": "provincial-police:KH-12", "kind": "provincial_police",
                        "name": "Phnom Penh Municipal Police Commissariat", "province": "KH-12"},
            "level": 1, "reason": "unanswered",
        },
        {
            "from_unit": escalations[0]["to_unit"],
            "to_unit": {"id": "moi-working-group", "kind": "working_group",
                        "name": "Ministry of Interior working group", "province": None},
            "level": 2, "reason": "unanswered",
        },
    ]  # fmt: skip
    # Each deadline runs from the event that started its clock, at that level's length.
    at = {e.type + str(e.version): e.occurred_at for e in stream}
    due = [datetime.fromisoformat(b["due_at"]) for b in breaches]
    assert due[0] == at["CaseAssigned2"] + timedelta(seconds=2)
    assert due[1] == at["CaseEscalated4"] + timedelta(seconds=1)
    assert due[2:] == [at["CaseEscalated6"] + timedelta(seconds=s) for s in (1, 3)]
    assert all(e.producer == "sla" and e.actor.kind == "system" for e in stream[2:])
    assert stream[2].causation_id == stream[1].event_id

    # Every clock at the top has run out: nothing is left to fire for this case.
    assert await eventually(lambda: _no_deadline(sla, case_id))
    # Counted once each, after their transactions committed.
    assert await eventually(lambda: sample(sla, "sla_firing_lateness_seconds_count") == 4)
    assert sample(sla, "sla_breaches_total", clock="acknowledgement", level="1") == 1
    assert sample(sla, "cases_escalated_total", level="2", reason="unanswered") == 1


async def test_an_acknowledged_case_does_not_escalate_as_unanswered(sla: Infrastructure) -> None:
    store = sla.database.event_store
    [case_id] = await new_cases(store, 1, lambda: [filed("drugs"), assigned(), acknowledged()])
    stream = await stream_when(store, case_id, lambda s: bool(of_type(s, "CaseEscalated")))

    # It rises only when its resolution deadline (4 s) runs out, past the acknowledgement's (2 s).
    first = of_type(stream, "CaseEscalated")[0]
    assert (first["level"], first["reason"]) == (1, "unresolved")
    breaches = [b["clock"] for b in of_type(stream, "SlaBreached") if b["level"] == 0]
    assert breaches == ["resolution"]


async def test_a_refused_case_escalates_at_once(sla: Infrastructure) -> None:
    store = sla.database.event_store
    # A land dispute's deadlines are hours long: only the refusal can raise it now.
    [case_id] = await new_cases(store, 1, lambda: [filed("land_dispute"), assigned(), refused()])
    stream = await stream_when(store, case_id, lambda s: bool(of_type(s, "CaseEscalated")))

    assert [e.type for e in stream][3:] == ["CaseEscalated"]
    escalation = of_type(stream, "CaseEscalated")[0]
    assert (escalation["level"], escalation["reason"]) == (1, "refused")
    assert escalation["to_unit"]["id"] == "provincial-police:KH-12"
    assert stream[3].causation_id == stream[2].event_id
    assert await eventually(lambda: sample(sla, "cases_escalated_total", level="1", reason="refused") == 1)


async def test_a_pause_moves_the_stored_deadline_by_exactly_the_time_paused(sla: Infrastructure) -> None:
    store, pool = sla.database.event_store, sla.database.pool
    start = datetime.now(UTC) - timedelta(minutes=10)
    [case_id] = await new_cases(store, 1, lambda: [filed("land_dispute", start), assigned(start)])

    row = await eventually(lambda: deadline(pool, case_id))
    assert (row["due_at"], row["clock"], row["version"]) == (start + timedelta(hours=1), "acknowledgement", 2)

    await append(store, case_id, info_requested(start + timedelta(minutes=1)))
    # While the citizen is asked, the row holds the deadline should nobody answer: the 59 minutes left,
    # counted from the end of the wait (the policy's default, 7 business days).
    policy = SlaPolicy.model_validate(yaml.safe_load(FAST_POLICY))
    wait_ends = policy.citizen_reply_wait.due(policy.business_calendar, start + timedelta(minutes=1))
    paused = await eventually(lambda: _row_at_version(sla, case_id, 3))
    assert paused["due_at"] == wait_ends + timedelta(minutes=59)

    await append(store, case_id, citizen_replied(start + timedelta(minutes=6, seconds=30)))
    resumed = await eventually(lambda: _row_at_version(sla, case_id, 4))
    assert resumed["due_at"] - row["due_at"] == timedelta(minutes=5, seconds=30)
    assert resumed["clock"] == "acknowledgement"


async def test_the_open_and_overdue_gauges_count_the_table(
    service_env: dict[str, str], tmp_path: Path
) -> None:
    settings = sla_settings(service_env, write_policy(tmp_path), sla_metrics_interval=0.1)
    service = build_lifecycle(settings)
    infra = service.infrastructure
    async with service.running():
        await new_cases(infra.database.event_store, 3, lambda: [filed("land_dispute"), assigned()])
        assert await eventually(lambda: sample(infra, "sla_open_deadlines") == 3)
        assert sample(infra, "sla_overdue_deadlines") == 0
        assert sample(infra, "sla_open_deadlines_by_level", level="0") == 3
        assert await eventually(lambda: _next_deadline_reported(infra))


async def _next_deadline_reported(sla: Infrastructure) -> bool:
    earliest = await sla.database.pool.fetchval("SELECT min(due_at) FROM sla_deadlines")
    return bool(sample(sla, "sla_next_deadline_timestamp_seconds") == earliest.timestamp())


async def _no_deadline(sla: Infrastructure, case_id: object) -> bool:
    row = await sla.database.pool.fetchrow("SELECT 1 FROM sla_deadlines WHERE case_id = $1", case_id)
    return row is None


async def _row_at_version(sla: Infrastructure, case_id: object, version: int) -> object:
    return await sla.database.pool.fetchrow(
        "SELECT * FROM sla_deadlines WHERE case_id = $1 AND version = $2", case_id, version
    )
