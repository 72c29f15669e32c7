"""Open311's ``expected_datetime`` is the SLA service's current deadline, read from its ``sla_deadlines``
table: written here through the SLA service's own code, so a change of that table on either side fails."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from services.sla import deadlines
from services.sla.bootstrap import MIGRATIONS as SLA_MIGRATIONS
from services.sla.deadlines import DeadlineRow
from services.sla.domain.clocks import Upcoming
from shared.eventstore import migrate
from tests.integration.intake.harness import Running, assign, projected

pytestmark = pytest.mark.integration
V2 = "/open311/v2"
DUE = datetime(2026, 11, 26, 3, 30, tzinfo=UTC)


async def filed_and_assigned(intake: Running) -> tuple[str, UUID]:
    fields = {"api_key": "dev-channel", "service_code": "theft", "description": "stolen", "lat": "13.36",
              "long": "103.86"}  # fmt: skip
    (created,) = (await intake.client.post(f"{V2}/requests.json", data=fields)).json()
    case_id = UUID(created["token"])
    await assign(intake, case_id, "police:1707")
    await projected(intake, created["service_request_id"], "assigned")
    return created["service_request_id"], case_id


async def expected(intake: Running, reference: str) -> object:
    (shown,) = (await intake.client.get(f"{V2}/requests/{reference}.json")).json()
    return shown["expected_datetime"]


async def test_the_sla_services_deadline_is_the_expected_datetime(intake: Running) -> None:
    reference, case_id = await filed_and_assigned(intake)
    assert await expected(intake, reference) is None  # no sla_deadlines table in this database yet
    async with intake.pool.acquire() as connection:
        await migrate(connection, [SLA_MIGRATIONS])
        await deadlines.save(
            connection, [DeadlineRow(case_id, 2, Upcoming(DUE, "acknowledgement", "police:1707", 0))]
        )
    assert await expected(intake, reference) == "2026-11-26T10:30:00+07:00"
    listed = await intake.client.get(f"{V2}/requests.json", params={"service_request_id": reference})
    assert listed.json()[0]["expected_datetime"] == "2026-11-26T10:30:00+07:00"


async def test_a_refused_case_escalating_at_once_has_no_expected_datetime(intake: Running) -> None:
    reference, case_id = await filed_and_assigned(intake)
    async with intake.pool.acquire() as connection:
        await migrate(connection, [SLA_MIGRATIONS])
        await deadlines.save(
            connection, [DeadlineRow(case_id, 3, Upcoming(DUE, "refusal", "police:1707", 0))]
        )
    assert await expected(intake, reference) is None
