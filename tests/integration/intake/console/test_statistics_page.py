"""The working group's statistics page over HTTP against PostgreSQL: the figures of a known set of cases
(answers and breaches older than 30 days left out, a median over too few cases flagged), and who may see
it."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest

from shared.events import Actor, EventData, NewEvent
from shared.events.types import (
    CaseAcknowledged,
    CaseAssigned,
    CaseNeedsTriage,
    CaseResolved,
    ClockName,
    SlaBreached,
)
from shared.places.units import WORKING_GROUP
from shared.testing.events import complaint_filed
from shared.testing.kafka import eventually
from tests.integration.intake.console.browser import add_account, new_client, sign_in
from tests.integration.intake.harness import Running

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC)
_REFERENCES = count()


@dataclass
class Stream:
    """One case's events, each at a given time before now."""

    province: str
    events: list[NewEvent] = field(default_factory=list)

    def then(self, data: EventData, ago: timedelta, actor: Actor | None = None) -> Stream:
        event_id = uuid.uuid4()
        self.events.append(
            NewEvent(
                event_id=event_id, data=data, idempotency_key=f"stats:{event_id}", occurred_at=NOW - ago,
                producer="tests", actor=actor or Actor(kind="system", id="tests"),
            )
        )  # fmt: skip
        return self


def filed(province: str, ago: timedelta) -> Stream:
    reference = "STATS" + "".join("ABCDEFGHJK"[int(digit)] for digit in f"{next(_REFERENCES):03d}")
    data = complaint_filed(province=province).model_copy(update={"reference": reference})
    return Stream(province).then(data, ago)


def answered(intake: Running, unit_id: str, ago: timedelta, acknowledged_after: timedelta) -> Stream:
    unit = intake.intake.units.get(unit_id)
    assert unit is not None
    officer = Actor(kind="unit", id=f"officer.{unit_id.replace(':', '')}")
    return (
        filed("KH-12", ago)
        .then(CaseAssigned(unit=unit.ref(), level=0, rule="test", reason="test"), ago)
        .then(CaseAcknowledged(unit_id=unit_id), ago - acknowledged_after, officer)
    )


def breach(clock: ClockName, level: int, unit_id: str, ago: timedelta) -> SlaBreached:
    return SlaBreached(clock=clock, due_at=NOW - ago, unit_id=unit_id, level=level)


def known_cases(intake: Running) -> list[Stream]:
    days, minutes = timedelta(days=1), timedelta(minutes=1)
    quick = [answered(intake, "police:1204", 3 * days, n * 10 * minutes) for n in range(1, 6)]  # 30 min
    quick[0].then(CaseResolved(unit_id="police:1204"), days)  # 2 days after it was assigned
    quick[1].then(breach("resolution", 0, "police:1204", days), days)
    few = [answered(intake, "police:1203", 2 * days, n * minutes) for n in (60, 120, 30)]  # 1 h, only 3
    few[0].then(breach("acknowledgement", 0, "police:1203", 2 * days), 2 * days)
    old = answered(intake, "police:1203", 45 * days, 1000 * minutes)  # answered 44 days ago: left out
    old.then(breach("acknowledgement", 1, "police:1203", 44 * days), 44 * days)
    triage = filed("KH-17", days).then(CaseNeedsTriage(reason="no district"), days)
    triage.then(breach("triage", 2, WORKING_GROUP, 5 * minutes), 5 * minutes)
    return [*quick, *few, old, triage]


def cells(html: str, attribute: str, value: str) -> str:
    """The text of the table row ``<tr {attribute}="{value}">``, tags removed, spaces squeezed."""
    found = re.search(rf'<tr {attribute}="{re.escape(value)}">(.*?)</tr>', html, re.DOTALL)
    assert found, f"no row {attribute}={value}"
    return " ".join(re.sub(r"<[^>]+>", " ", found[1]).split())


async def test_the_statistics_page_shows_the_figures_of_known_cases(intake: Running) -> None:
    for stream in known_cases(intake):
        await intake.store.append(uuid.uuid4(), 0, stream.events)

    async def projected() -> bool:
        rows = await intake.pool.fetch("SELECT status, count(*) AS n FROM intake_cases GROUP BY status")
        return {row["status"]: row["n"] for row in rows} == {
            "acknowledged": 8,
            "resolved": 1,
            "needs_triage": 1,
        }

    assert await eventually(projected, within=30)
    await add_account(intake, "wg.chan", "working_group")
    async with new_client(intake) as client:
        await sign_in(client, "wg.chan")
        page = await client.get("/console/stats")
    assert page.status_code == 200
    html = page.text
    assert "Open cases: 9" in html
    assert 'aria-label="By province"' in html
    status_bars = re.findall(
        r'<tspan class="label">([^<]+)</tspan> <tspan class="value">([^<]+)</tspan>', html
    )
    assert ("acknowledged", "8") in status_bars
    assert ("waiting for triage", "1") in status_bars
    assert ("Phnom Penh", "8") in status_bars
    assert ("Siemreap", "1") in status_bars

    police_1204 = cells(html, "data-unit", "police:1204")
    assert "30 min (cases: 5) 2 d (cases: 1) too few to compare" in police_1204
    assert police_1204.count("too few to compare") == 1  # the acknowledgement median stands on 5 cases
    police_1203 = cells(html, "data-unit", "police:1203")
    assert "1 h (cases: 3) too few to compare" in police_1203  # the case of 44 days ago is not counted
    assert "(cases: 0)" in police_1203
    assert "1 h (cases: only 3, too few to compare)" in html  # the chart says it too

    assert cells(html, "data-level", "0").endswith("1 1 0 2")  # acknowledgement, resolution, triage, total
    assert cells(html, "data-level", "1").endswith("0 0 0 0")  # the breach of 44 days ago is not counted
    assert cells(html, "data-level", "2").endswith("0 0 1 1")


async def test_the_statistics_are_the_working_groups_and_ops_not_a_units(intake: Running) -> None:
    await add_account(intake, "sokha", "unit", "police:1203")
    await add_account(intake, "vanna.ops", "ops")
    async with new_client(intake) as unit, new_client(intake) as ops:
        await sign_in(unit, "sokha")
        refused = await unit.get("/console/stats")
        assert refused.status_code == 403
        assert "another unit or role" in refused.text
        assert "Open cases" not in refused.text
        assert 'href="/console/stats"' not in (await unit.get("/console/inbox")).text
        landed = await sign_in(ops, "vanna.ops")
        assert landed.headers["location"] == "/console/stats"
        shown = await ops.get("/console/stats")
        assert (shown.status_code, "Open cases: 0" in shown.text) == (200, True)
        assert "No unit acknowledged or resolved a case in the last 30 days." in shown.text
    async with new_client(intake) as stranger:
        away = await stranger.get("/console/stats")
        assert (away.status_code, away.headers["location"]) == (
            303,
            "/console/sign-in?next=%2Fconsole%2Fstats",
        )
