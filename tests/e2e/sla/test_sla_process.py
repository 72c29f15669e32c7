"""The SLA service as a process, SIGKILLed while deadlines are due (its bad files: test_bad_configuration)."""

from pathlib import Path

import asyncpg
import pytest

from shared.eventstore import PostgresEventStore
from shared.testing.kafka import eventually
from shared.testing.servers import ServiceProcess
from tests.integration.sla.cases import DEPLOY, new_cases, write_policy

pytestmark = pytest.mark.e2e

CASES = 3000
# Level 0 must acknowledge within 2 s; every later deadline is an hour away, so each case escalates once.
POLICY = """
deadlines:
  default: {acknowledgement: {plain: 2s}, resolution: {plain: 1h}}
ladder:
  - {level: 0, name: assigned unit}
  - level: 1
    name: provincial level
    deadlines: {default: {acknowledgement: {plain: 1h}}}
  - {level: 2, name: working group, unit: moi-working-group}
triage: {plain: 1h}
"""


async def count(pool: asyncpg.Pool, type_: str) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM events WHERE type = $1", type_))


async def test_killed_while_deadlines_are_due_every_escalation_is_recorded_once_after_restart(
    service_env: dict[str, str], pool: asyncpg.Pool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {
        **service_env,
        "SLA_POLICY_FILE": str(write_policy(tmp_path, POLICY)),
        "UNITS_FILE": str(DEPLOY / "units.yaml"),
        # Small batches and one loop, so that firing takes seconds and the kill lands in the middle.
        "SLA_TIMER_BATCH": "20",
        "SLA_TIMER_WORKERS": "1",
    }
    sla = ServiceProcess("sla", env, tmp_path / "sla.log")
    sla.start()
    try:
        await new_cases(PostgresEventStore(pool), CASES)
        assert await eventually(lambda: _at_least(pool, "CaseEscalated", 1), within=120)
        sla.kill()
        escalated_at_kill = await count(pool, "CaseEscalated")
        assert escalated_at_kill < CASES, "every case escalated before the kill: the test proves nothing"

        sla.start()
        assert await eventually(lambda: _at_least(pool, "CaseEscalated", CASES), within=180)
        # Rows catch up with what the timer and the consumer derive, at level 1 an hour away.
        assert await eventually(lambda: _all_rows_at_level_one(pool), within=60)
    finally:
        sla.stop()

    per_case = await pool.fetch(
        """SELECT case_id, count(*) FILTER (WHERE type = 'SlaBreached') AS breaches,
                  count(*) FILTER (WHERE type = 'CaseEscalated') AS escalations
           FROM events GROUP BY case_id"""
    )
    assert len(per_case) == CASES
    assert {(row["breaches"], row["escalations"]) for row in per_case} == {(1, 1)}
    with capsys.disabled():
        print(f"\nsla crash: {escalated_at_kill} of {CASES} cases escalated at the kill")


async def _at_least(pool: asyncpg.Pool, type_: str, wanted: int) -> bool:
    return await count(pool, type_) >= wanted


async def _all_rows_at_level_one(pool: asyncpg.Pool) -> bool:
    row = await pool.fetchrow(
        "SELECT count(*) AS n, count(*) FILTER (WHERE level = 1 AND due_at > now()) AS up FROM sla_deadlines"
    )
    return bool(row is not None and row["n"] == CASES == row["up"])
