"""What the SLA tests share: a policy in seconds, upstream events to append, and readers of the results."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from services.sla.settings import SlaSettings
from shared.events import (
    Actor,
    CaseAcknowledged,
    CaseAssigned,
    CaseInfoRequested,
    CaseRefused,
    CitizenReplied,
    ComplaintFiled,
    Envelope,
    EventData,
    NewEvent,
)
from shared.events.types import CitizenRef, ResolvedLocation, UnitRef
from shared.eventstore import Append, PostgresEventStore
from shared.testing.kafka import eventually

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"

# Plain seconds, so that a case climbs the whole ladder in a few seconds at any hour. Each level's
# resolution deadline is far behind its acknowledgement, so that a timer slowed down by a busy machine
# still breaches and escalates in the same order; drugs cases must be resolved quickly, and land disputes
# take hours: nothing but a refusal moves one during a test.
FAST_POLICY = """
calendar: {zone: Asia/Phnom_Penh}
deadlines:
  default:
    acknowledgement: {plain: 2s}
    resolution: {plain: 60s}
  drugs:
    resolution: {plain: 4s}
  land_dispute:
    acknowledgement: {plain: 1h}
    resolution: {plain: 2h}
ladder:
  - {level: 0, name: assigned unit}
  - level: 1
    name: provincial level
    deadlines: {default: {acknowledgement: {plain: 1s}, resolution: {plain: 30s}}}
  - level: 2
    name: working group
    unit: moi-working-group
    deadlines: {default: {acknowledgement: {plain: 1s}, resolution: {plain: 3s}}}
triage: {plain: 1s}
"""

POLICE = UnitRef(
    id="police:1201", kind="police", name="Chamkar Mon District Police Inspectorate", province="KH-12"
)
UNIT = Actor(kind="unit", id=POLICE.id)
ROUTING = Actor(kind="system", id="routing")


def write_policy(folder: Path, text: str = FAST_POLICY) -> Path:
    path = folder / "sla-policy.yaml"
    path.write_text(text)
    return path


def sla_settings(env: dict[str, str], policy: Path, **overrides: Any) -> SlaSettings:
    """The service's settings for this test's servers, topics and database."""
    return SlaSettings(
        kafka_bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"], database_url=env["DATABASE_URL"],
        topic_prefix=env["TOPIC_PREFIX"], sla_policy_file=policy, units_file=DEPLOY / "units.yaml",
        **overrides,
    )  # fmt: skip


def event(data: EventData, at: datetime | None = None, actor: Actor = ROUTING) -> NewEvent:
    """A NewEvent of ``data`` that occurred at ``at`` (now by default)."""
    event_id = uuid.uuid4()
    return NewEvent(
        event_id=event_id, data=data, idempotency_key=f"test:{event_id}", occurred_at=at or datetime.now(UTC),
        producer="tests", actor=actor,
    )  # fmt: skip


def filed(category: str = "theft", at: datetime | None = None) -> NewEvent:
    return event(
        ComplaintFiled.model_validate({
            "reference": "KH7F3K9Q", "channel": "web", "channel_message_id": uuid.uuid4().hex,
            "citizen": CitizenRef(citizen_id=None, anonymous=True), "text": "No one came.",
            "category": category, "location": ResolvedLocation(province="KH-12"), "confidential": False,
        }),
        at,
    )  # fmt: skip


def assigned(at: datetime | None = None, unit: UnitRef = POLICE) -> NewEvent:
    return event(CaseAssigned(unit=unit, level=0, rule="test", reason="test"), at)


def acknowledged(at: datetime | None = None) -> NewEvent:
    return event(CaseAcknowledged(unit_id=POLICE.id), at, UNIT)


def refused(at: datetime | None = None) -> NewEvent:
    return event(CaseRefused(unit_id=POLICE.id, note="not ours"), at, UNIT)


def info_requested(at: datetime) -> NewEvent:
    return event(CaseInfoRequested(unit_id=POLICE.id, question="Which village?"), at, UNIT)


def citizen_replied(at: datetime) -> NewEvent:
    return event(CitizenReplied(text="Phum Thmei"), at, Actor(kind="citizen", id="citizen"))


async def new_cases(
    store: PostgresEventStore, count: int, events: Callable[[], list[NewEvent]] | None = None
) -> list[uuid.UUID]:
    """``count`` new cases whose streams ``events()`` gives (filed as theft and assigned now by default)."""
    case_ids = [uuid.uuid4() for _ in range(count)]
    make = events or (lambda: [filed(), assigned()])
    await store.append_many([Append(case_id, 0, make()) for case_id in case_ids])
    return case_ids


async def append(store: PostgresEventStore, case_id: uuid.UUID, *events: NewEvent) -> None:
    """Append to the end of the case stream, whatever its version."""
    version = len(await store.read_stream(case_id))
    await store.append(case_id, version, list(events))


def of_type(stream: list[Envelope], type_: str) -> list[dict[str, Any]]:
    return [e.data for e in stream if e.type == type_]


async def deadline(pool: asyncpg.Pool, case_id: uuid.UUID) -> asyncpg.Record | None:
    """The case's row in sla_deadlines, if any."""
    return await pool.fetchrow("SELECT * FROM sla_deadlines WHERE case_id = $1", case_id)


async def stream_when(
    store: PostgresEventStore, case_id: uuid.UUID, until: Callable[[list[Envelope]], bool], within: float = 60
) -> list[Envelope]:
    """The case's stream once ``until`` holds for it; fails showing the stream if it does not in time."""
    stream: list[Envelope] = []

    async def check() -> bool:
        nonlocal stream
        stream = await store.read_stream(case_id)
        return until(stream)

    assert await eventually(check, within=within), f"not reached: {[e.type for e in stream]}"
    return stream
