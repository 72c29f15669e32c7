"""One stack of services for the command-line tool's tests, with an SLA policy of a few seconds."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import asyncpg
import pytest

from shared.localstack.kafka import PROJECT_ROOT
from shared.messaging.outbox_relay import PENDING_FOR_CASE
from shared.testing.kafka import eventually
from shared.testing.servers import LocalServers, new_topic_prefix
from shared.testing.stack import ServiceStack
from tests.integration.sla.cases import write_policy

# The cases meant to escalate do so in seconds: a unit that does not answer at level 0 loses the case after
# 8 s, at level 1 after 6 s. The categories the tests and the demo answer (theft, violence, domestic
# violence at level 0; theft, public services and triaged `other` cases at level 1) get an hour, so a
# slow machine cannot escalate a case before the answer the test expects lands.
POLICY = """
calendar: {zone: Asia/Phnom_Penh}
deadlines:
  default: {acknowledgement: {plain: 8s}, resolution: {plain: 1h}}
  theft: {acknowledgement: {plain: 1h}}
  violence: {acknowledgement: {plain: 1h}}
  domestic_violence: {acknowledgement: {plain: 1h}}
ladder:
  - {level: 0, name: assigned unit}
  - level: 1
    name: provincial level
    deadlines:
      default: {acknowledgement: {plain: 6s}, resolution: {plain: 1h}}
      theft: {acknowledgement: {plain: 1h}}
      public_services: {acknowledgement: {plain: 1h}}
      other: {acknowledgement: {plain: 1h}}
  - level: 2
    name: working group
    unit: moi-working-group
    deadlines: {default: {acknowledgement: {plain: 1h}, resolution: {plain: 1h}}}
triage: {plain: 1h}
"""
FILED = re.compile(r"filed: reference (?P<reference>[A-Z0-9]{8}), case (?P<case_id>[0-9a-f-]{36})")


@dataclass(frozen=True)
class CliStack:
    """The environment ``python -m cli`` gets.

    The variables of docs/contract.md §Settings, ``INTAKE_URL``, ``SMS_API_BASE`` and
    ``MESSENGER_GATEWAY_URL``.
    """

    env: dict[str, str]

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """``python -m cli ARGS`` run to its end, its output captured."""
        return subprocess.run(
            [sys.executable, "-m", "cli", *args],
            env={**os.environ, **self.env},
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@pytest.fixture(scope="package")
def cli_stack(servers: LocalServers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliStack]:
    """The services and the dev gateways, started once for this folder's tests (each files its own cases)."""
    folder = tmp_path_factory.mktemp("cli-stack")
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": servers.kafka.bootstrap_servers,
        "DATABASE_URL": servers.new_database(),
        "TOPIC_PREFIX": new_topic_prefix(),
        "SLA_POLICY_FILE": str(write_policy(folder, POLICY)),
        "COMPLAINTS_DEV": "1",  # as make run: the demo's citizen texts unsigned
    }
    stack = ServiceStack(env, folder / "logs")
    try:
        stack.start()
        yield CliStack({
            **env, "INTAKE_URL": stack.url("intake"), "SMS_API_BASE": stack.gateway.url,
            "MESSENGER_GATEWAY_URL": stack.messenger.url,
        })  # fmt: skip
    finally:
        stack.stop()


def filed(output: str) -> tuple[str, str]:
    """The reference and case id ``python -m cli file`` printed."""
    found = FILED.search(output)
    assert found is not None, output
    return found["reference"], found["case_id"]


async def event_types_once(database_url: str, case_id: str, *wanted: str, within: float = 60) -> list[str]:
    """The case's event types, once ``wanted`` are among them (as often as listed) and none waits in the
    outbox (so they are on ``case-events`` too), or after ``within`` seconds."""
    case = uuid.UUID(case_id)

    async def check() -> list[str] | None:
        async with asyncpg.create_pool(database_url, min_size=1, max_size=1) as pool:
            rows = await pool.fetch("SELECT type FROM events WHERE case_id = $1 ORDER BY version", case)
            pending = await pool.fetchval(PENDING_FOR_CASE, case)
        types = [row["type"] for row in rows]
        return types if Counter(wanted) <= Counter(types) and pending == 0 else None

    found: list[str] | None = await eventually(check, within=within, interval=0.3)
    assert found is not None, f"case {case_id} never had {wanted}"
    return found
