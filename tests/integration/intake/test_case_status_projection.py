"""The case status projection: kept live from case-events, and the same again when rebuilt by replay."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from cli.projections import PROJECTIONS
from services.intake.case_status import CaseStatusProjection
from shared.events.types import CaseEscalated, CaseNeedsTriage, CitizenNotified, SlaBreached, VerdictRecorded
from shared.messaging.projection import rebuild
from shared.testing.kafka import eventually
from tests.integration.intake.harness import Running, append, assign, bearer, file
from tests.unit.intake.samples import encode, web_submission

pytestmark = pytest.mark.integration


async def tables(pool: asyncpg.Pool) -> tuple[list[Any], list[Any]]:
    cases = await pool.fetch("SELECT * FROM intake_cases ORDER BY case_id")
    timeline = await pool.fetch("SELECT * FROM intake_timeline ORDER BY case_id, version")
    return [dict(row) for row in cases], [dict(row) for row in timeline]


async def test_a_rebuild_from_the_event_store_gives_the_tables_the_live_projection_made(
    intake: Running,
) -> None:
    police = bearer("dev-police-1203")
    case_ids = []
    for n in range(12):
        body = web_submission(
            location={"province": "KH-12", "district": "1203"}, category="theft" if n % 2 else None
        )
        case_ids.append(uuid.UUID((await file(intake, encode(body))).json()["case_id"]))
    units = intake.intake.units
    police_unit, group = units.get("police:1203"), units.get("moi-working-group")
    assert police_unit
    assert group
    for n, case_id in enumerate(case_ids):
        if n % 4 == 0:
            await append(intake, case_id, CaseNeedsTriage(reason="no rule"))
            continue
        await assign(intake, case_id, "police:1203")
        if n % 4 >= 2:
            await intake.client.post(f"/v1/cases/{case_id}/acknowledge", headers=police)
        if n % 4 == 3:
            breach = SlaBreached(
                clock="resolution", due_at=datetime.now(UTC), unit_id=police_unit.id, level=0
            )
            await append(intake, case_id, breach)
            escalation = CaseEscalated(
                from_unit=police_unit.ref(), to_unit=group.ref(), level=2, reason="unresolved"
            )
            await append(intake, case_id, escalation)
            await append(intake, case_id, VerdictRecorded(verdict="undetermined"))
        notified = CitizenNotified(about_event_id=uuid.uuid4(), channel="sms", provider_message_id=f"SM{n}")
        await append(intake, case_id, notified)
    stored = await intake.pool.fetchval("SELECT count(*) FROM events")
    wanted = CaseStatusProjection.event_types or frozenset()
    lifecycle = await intake.pool.fetchval(
        "SELECT count(*) FROM events WHERE type = ANY($1::text[])", list(wanted)
    )

    async def caught_up() -> bool:
        return bool(await intake.pool.fetchval("SELECT count(*) FROM intake_timeline") == lifecycle)

    assert await eventually(caught_up)
    live = await tables(intake.pool)
    assert len(live[0]) == 12
    assert {row["status"] for row in live[0]} == {"needs_triage", "assigned", "acknowledged"}

    replayed = await rebuild(intake.pool, PROJECTIONS["case_status"]())
    assert replayed == stored
    assert await tables(intake.pool) == live
