"""Issue 8, chaos: complaints flow while every service is SIGKILLed and restarted in turn, then the Kafka
broker and PostgreSQL; afterwards the event store and the SMS gateway must show nothing lost, nothing
stored twice, nothing dead-lettered. Every service runs as CHAOS_REPLICAS processes (2 by default), and one
of each is killed in turn while the other keeps working. Then no phone or name the run used may be found in
any service's output, any /metrics page or any dead-letter header. CHAOS_COMPLAINTS sets the size (``make
chaos``: 2,000) and CHAOS_RESULTS where the counts go as JSON."""

import asyncio
import os
import time
from pathlib import Path

import asyncpg
import httpx
import pytest

from shared.service.topics import Topics
from shared.testing.servers import UNBOUNDED_COMPLAINTS, LocalServers, new_topic_prefix
from shared.testing.stack import ServiceStack
from tests.chaos.drive import Acknowledger, Feeder, unleash
from tests.chaos.observe import settle
from tests.chaos.privacy import Personal, Scan, dead_letter_headers
from tests.chaos.report import Report
from tests.chaos.scenario import (
    POLICY,
    TOP_LEVEL,
    citizens,
    complaint_count,
    new_run_id,
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
    sent = submissions(complaint_count(), new_run_id())
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
    scan, personal = Scan(), Personal.of(citizens(sent))
    try:
        await asyncio.to_thread(stack.start)
        async with (
            asyncpg.create_pool(database_url, min_size=1, max_size=4) as pool,
            httpx.AsyncClient(timeout=10) as client,
        ):
            intake = stack.url("intake")
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
            )
            for name, process in stack.processes.items():
                if name != "devsms":
                    scan.look(personal, f"{name} /metrics", (await client.get(f"{process.url}/metrics")).text)
            for topic, headers in (await dead_letter_headers(bootstrap, prefix)).items():
                scan.look(personal, f"{topic} headers", headers)
    finally:
        await asyncio.to_thread(stack.stop)
    for log in sorted((tmp_path / "logs").glob("*.log")):
        if log.name != "devsms.log":  # the gateway stands in for the provider, which is given the phone
            scan.look(personal, log.name, log.read_text(errors="replace"))

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
            "identifiers": len(personal.phones) + len(personal.names),
            "found": sum(len(hits) for hits in scan.found.values()),
        },
    )
    results = Path(os.environ.get("CHAOS_RESULTS") or tmp_path / "chaos.json")
    await asyncio.to_thread(report.write, results)
    with capsys.disabled():
        print("", *report.lines(), f"chaos: counts in {results}, logs in {tmp_path / 'logs'}", sep="\n")

    assert not feeder.rejected
    assert not scan.found, "\n".join(scan.problems())
    assert findings.clean, "\n".join(findings.problems)
    # Both kinds of case must be there, or half of the checks proved nothing.
    assert findings.acknowledged > 0
    assert findings.unanswered > 0
