"""Issue 8, chaos: complaints flow while every service is SIGKILLed and restarted in turn, then the Kafka
broker and PostgreSQL; afterwards the event store and the SMS gateway must show nothing lost, nothing
stored twice, nothing dead-lettered but the few submissions fed to be refused. Every service runs as
CHAOS_REPLICAS processes (2 by default), and one of each is killed in turn while the other keeps working.
Then no phone (however written), name or Messenger id the run used may be found in any process's output,
any /metrics page or any dead-letter header. CHAOS_COMPLAINTS sets the size (``make chaos``: 2,000) and
CHAOS_RESULTS where the counts go as JSON."""

import asyncio
import os
import time
from pathlib import Path

import asyncpg
import httpx
import pytest

from shared.service.topics import Topics
from shared.testing.kafka import produce
from shared.testing.servers import UNBOUNDED_COMPLAINTS, LocalServers, new_topic_prefix
from shared.testing.stack import SERVICES, ServiceStack
from tests.chaos.drive import Acknowledger, Feeder, unleash
from tests.chaos.observe import dead_letters, settle
from tests.chaos.privacy import Personal, Scan, dead_letter_headers
from tests.chaos.report import Report
from tests.chaos.scenario import (
    POLICY,
    TOP_LEVEL,
    Submission,
    citizens,
    complaint_count,
    new_run_id,
    planted,
    replica_count,
    submissions,
)
from tests.integration.sla.cases import write_policy

pytestmark = pytest.mark.chaos

FEED_SECONDS = 90.0  # complaints arrive over about as long as the blows below take on 2 busy cores
PAUSE, BETWEEN = 1.0, 3.0  # seconds a target stays down before its restart begins; of flow between blows
# Waiting for the stack to catch up ends when nothing is missing, after PATIENCE seconds in which nothing
# missing arrived, or after SETTLE_AT_MOST seconds; once nothing is missing, QUIET seconds later a last look.
PATIENCE, SETTLE_AT_MOST, QUIET = 120.0, 1800.0, 5.0


async def test_nothing_is_lost_or_doubled_while_services_and_servers_restart(
    isolated_servers: LocalServers, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    run = new_run_id()
    sent, refused = submissions(complaint_count(), run), planted(run)
    refused_ids = frozenset(s.complaint.message_id for s in refused)
    prefix, bootstrap = new_topic_prefix(), isolated_servers.kafka.bootstrap_servers
    database_url = isolated_servers.new_database()
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "DATABASE_URL": database_url,
        "TOPIC_PREFIX": prefix,
        "SLA_POLICY_FILE": str(write_policy(tmp_path, POLICY)),
        # A notice left `sending` by a killed notify is claimed again when its lease ends.
        "SMS_REQUEST_TIMEOUT_SECONDS": "5",
        "SMS_SEND_LEASE_SECONDS": "10",
        # The full-size run (`make chaos`) texts more than a day's default budget: charged, never reached.
        "SMS_PER_DAY": "10000000",
        **UNBOUNDED_COMPLAINTS,
    }
    stack = ServiceStack(env, tmp_path / "logs", replicas=replica_count())
    scan, personal = Scan(), Personal.of(citizens(sent + refused))
    try:
        await asyncio.to_thread(stack.start)
        async with (
            asyncpg.create_pool(database_url, min_size=1, max_size=4) as pool,
            httpx.AsyncClient(timeout=10) as client,
        ):
            intake = stack.url("intake")
            await _refuse(bootstrap, Topics(prefix), refused)
            feeder = Feeder(bootstrap, Topics(prefix).submissions, intake, sent, FEED_SECONDS)
            targets = frozenset(s.complaint.message_id for s in sent if s.acknowledge)
            acknowledger = Acknowledger(pool, intake, targets)
            flowing = time.monotonic()
            async with asyncio.TaskGroup() as flows:  # one failing cancels the others
                flows.create_task(feeder.run(client))
                flows.create_task(
                    acknowledger.run(client, feeder.done, patience=PATIENCE, within=FEED_SECONDS + 600)
                )
                blowing = flows.create_task(unleash(stack, isolated_servers, pause=PAUSE, between=BETWEEN))
            blows = blowing.result()
            settling = time.monotonic()
            findings = await settle(
                [s.complaint for s in sent],
                pool,
                client,
                stack.url("devsms"),
                (bootstrap, prefix),
                top_level=TOP_LEVEL,
                patience=PATIENCE,
                within=SETTLE_AT_MOST,
                quiet=QUIET,
                planted=refused_ids,
            )
            await _scan_pages(scan, personal, client, stack)
            for topic, headers in (await dead_letter_headers(bootstrap, prefix)).items():
                scan.look(personal, f"{topic} headers", headers)
    finally:
        await asyncio.to_thread(stack.stop)
    _scan_logs(scan, personal, stack)

    seconds = {
        "start_up": flowing - started,
        "flow_and_blows": settling - flowing,
        "settle": time.monotonic() - settling,
        "total": time.monotonic() - started,
    }
    report = Report(
        complaints=len(sent),
        over_http=sum(s.over_http for s in sent),
        seconds={name: round(value, 1) for name, value in seconds.items()},
        blows=blows,
        acknowledge_answers=acknowledger.answers,
        findings=findings,
        self_restarts=stack.restarts,
        replicas=stack.replicas,
        privacy={
            "sources": scan.sources,
            "bytes": scan.size,
            "identifiers": personal.count,
            "found": sum(len(hits) for hits in scan.found.values()),
        },
    )
    results = Path(os.environ.get("CHAOS_RESULTS") or tmp_path / "chaos.json")
    await asyncio.to_thread(report.write, results)
    with capsys.disabled():
        print("", *report.lines(), f"chaos: counts in {results}, logs in {tmp_path / 'logs'}", sep="\n")

    assert not feeder.rejected
    assert findings.planted_dead_letters == len(refused), "each refused submission dead-lettered once"
    assert any(where.endswith("complaints.submissions.dlq headers") for where in scan.looked_at)
    assert not scan.found, "\n".join(scan.problems())
    assert findings.clean, "\n".join(findings.problems)
    # Both kinds of case must be there, or half of the checks proved nothing.
    assert findings.acknowledged > 0
    assert findings.unanswered > 0


async def _refuse(bootstrap: str, topics: Topics, refused: list[Submission]) -> None:
    """Feed the submissions intake must refuse and wait until each is dead-lettered; before any blow, so
    that no restart can dead-letter one twice and exactly ``len(refused)`` letters are expected."""
    keys = {s.complaint.message_id for s in refused}
    records: list[tuple[bytes | None, bytes]] = [
        (s.complaint.message_id.encode(), s.encoded()) for s in refused
    ]
    await produce(bootstrap, topics.submissions, records)

    async def lettered() -> set[str | None]:
        return set((await dead_letters(bootstrap, topics.prefix)).get(topics.submissions_dlq, []))

    async with asyncio.timeout(120):
        while not keys <= await lettered():  # noqa: ASYNC110 (the letters are on a broker, not an event here)
            await asyncio.sleep(0.5)


async def _scan_pages(scan: Scan, personal: Personal, client: httpx.AsyncClient, stack: ServiceStack) -> None:
    """Every replica's /metrics page, each of which must answer something."""
    for name in (name for service in SERVICES for name in stack.replicas_of(service)):
        page = await client.get(f"{stack.url(name)}/metrics")
        page.raise_for_status()
        assert page.text, f"{name} /metrics is empty"
        scan.look(personal, f"{name} /metrics", page.text)


def _scan_logs(scan: Scan, personal: Personal, stack: ServiceStack) -> None:
    """Every process's output but the SMS gateway's, which stands in for the provider given the phone."""
    for name, process in stack.processes.items():
        if name != "devsms":
            text = process.log_path.read_text(errors="replace")
            assert text, f"{name}'s output is empty: nothing was looked at"
            scan.look(personal, process.log_path.name, text)
