"""What the chaos run does to the stack: feed complaints, acknowledge some, kill and restart everything.

Every loop here is bounded in rounds and in time; a server that is down is waited for, never skipped.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from uuid import UUID

import asyncpg
import httpx

from shared.service.retry import is_transient
from shared.testing.kafka import produce
from shared.testing.servers import LocalServers
from shared.testing.stack import SERVICES, ServiceStack
from tests.chaos.observe import patiently
from tests.chaos.scenario import UNIT_TOKEN, Submission

RETRY_STATUSES = frozenset({502, 503, 504})
SEND_WITHIN = 180.0  # seconds a chunk may wait for a restarting broker or intake


class UnavailableError(ConnectionError):
    """Intake answered 5xx-retry: a restart or an outage behind it; try again (a transient error)."""


async def post(
    client: httpx.AsyncClient, url: str, body: object = None, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    """One POST; an answer asking to retry raises :class:`UnavailableError`."""
    answer = await client.post(url, json=body, headers=headers)
    if answer.status_code in RETRY_STATUSES:
        raise UnavailableError(f"{url}: {answer.status_code}")
    return answer


@dataclass
class Feeder:
    """Sends the submissions spread evenly over ``seconds``: most to Kafka, some through HTTP."""

    bootstrap: str
    topic: str
    intake: str
    submissions: Sequence[Submission]
    seconds: float
    rejected: list[str] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self, client: httpx.AsyncClient) -> None:
        rounds = max(1, int(self.seconds))
        started = time.monotonic()
        try:
            for n in range(rounds):
                await asyncio.sleep(max(0.0, started + n * self.seconds / rounds - time.monotonic()))
                chunk = self.submissions[n::rounds]
                over_kafka: list[tuple[bytes | None, bytes]] = [
                    (s.complaint.message_id.encode(), s.encoded()) for s in chunk if not s.over_http
                ]
                await asyncio.gather(
                    patiently(partial(produce, self.bootstrap, self.topic, over_kafka), within=SEND_WITHIN),
                    *[self._post(client, s) for s in chunk if s.over_http],
                )
        finally:
            self.done.set()

    async def _post(self, client: httpx.AsyncClient, submission: Submission) -> None:
        url = f"{self.intake}/v1/complaints"
        answer = await patiently(partial(post, client, url, submission.body), within=SEND_WITHIN)
        if answer.status_code != 202:
            self.rejected.append(f"{submission.complaint.message_id}: {answer.status_code} {answer.text}")


@dataclass
class Acknowledger:
    """The unit acknowledges its share of cases once routing has assigned them, through intake's HTTP."""

    pool: asyncpg.Pool
    intake: str
    targets: frozenset[str]
    answers: Counter[str] = field(default_factory=Counter)

    async def run(
        self, client: httpx.AsyncClient, feeding: asyncio.Event, *, patience: float, within: float
    ) -> None:
        """Until every target is acknowledged or escalated (it came too late) and feeding is over, or
        ``patience`` seconds pass after feeding with no target settling (a lost complaint never will)."""
        deadline, last_pending, stalled_at = time.monotonic() + within, -1, time.monotonic() + within
        while time.monotonic() < min(deadline, stalled_at):
            try:
                due, pending = await self._cases()
            except Exception as error:
                if not is_transient(error):
                    raise
                await asyncio.sleep(0.5)
                continue
            if feeding.is_set() and not pending:
                return
            if feeding.is_set() and len(pending) != last_pending:
                last_pending, stalled_at = len(pending), time.monotonic() + patience
            await asyncio.gather(*[self._acknowledge(client, case_id, key) for case_id, key in due])
            await asyncio.sleep(0.5)

    async def _cases(self) -> tuple[list[tuple[UUID, str]], set[str]]:
        """The target cases assigned and not yet answered; the targets not yet settled either way."""
        rows = await self.pool.fetch(
            """SELECT f.case_id, f.data->>'channel_message_id' AS message_id,
                      bool_or(e.type = 'CaseAssigned') AS assigned,
                      bool_or(e.type IN ('CaseAcknowledged', 'CaseEscalated')) AS answered
               FROM events f JOIN events e ON e.case_id = f.case_id
               WHERE f.type = 'ComplaintFiled' GROUP BY f.case_id, message_id"""
        )
        mine = [row for row in rows if row["message_id"] in self.targets]
        due = [(row["case_id"], row["message_id"]) for row in mine if row["assigned"] and not row["answered"]]
        pending = set(self.targets) - {row["message_id"] for row in mine if row["answered"]}
        return due, pending

    async def _acknowledge(self, client: httpx.AsyncClient, case_id: UUID, message_id: str) -> None:
        headers = {"Authorization": f"Bearer {UNIT_TOKEN}", "Idempotency-Key": f"ack-{message_id}"}
        try:
            answer = await post(client, f"{self.intake}/v1/cases/{case_id}/acknowledge", headers=headers)
        except (UnavailableError, httpx.TransportError):
            self.answers["retry"] += 1  # intake is restarting: the next round asks again
            return
        # 403 and 409: the deadline won the race and the case is the provincial level's now.
        self.answers[str(answer.status_code)] += 1


@dataclass(frozen=True)
class Blow:
    """One thing the run took down, and how long it was gone."""

    target: str
    down_seconds: float


# The broker's restart is the longest blow: it lands early, while complaints still arrive over Kafka.
ORDER = ("intake", "routing", "kafka", "sla", "notify", "postgres")


async def unleash(stack: ServiceStack, servers: LocalServers, *, pause: float, between: float) -> list[Blow]:
    """SIGKILL and restart each service in turn, the Kafka broker (SIGKILL too) and PostgreSQL (an
    immediate, crash-like stop), in ``ORDER``, with ``between`` seconds of flow before each."""
    blows: dict[str, tuple[Callable[[], None], Callable[[], None]]] = {
        name: (partial(stack.kill, name), partial(stack.restart, name)) for name in SERVICES
    }
    blows["kafka"] = (servers.kafka.kill, servers.kafka.start)
    blows["postgres"] = (servers.postgres.kill, servers.postgres.start)
    landed = []
    for target in ORDER:
        kill, start = blows[target]
        await asyncio.sleep(between)
        began = time.monotonic()
        await asyncio.to_thread(kill)
        await asyncio.sleep(pause)
        await asyncio.to_thread(start)
        landed.append(Blow(target, round(time.monotonic() - began, 1)))
    return landed
