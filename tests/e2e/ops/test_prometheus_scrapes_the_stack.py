"""A real Prometheus scrapes a running stack: targets up, the dashboard's queries answered, alerts raised.

The stack runs on a broker and a cluster of this test's own (it stops the broker), with the demo SLA policy
in seconds. Prometheus reads the project's rules with shorter ``for:`` and a shorter overdue tolerance,
scrapes every 3 s (a scrape while Kafka is down waits up to 2 s on the readiness check) and evaluates
every second. Every wait is bounded by ``eventually``.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import yaml

from bench.intake import encode, kafka_bodies, submission
from shared.eventstore import Append, PostgresEventStore
from shared.localstack.process import free_port
from shared.localstack.prometheus import PROMETHEUS_DIR, PrometheusServer
from shared.service.database import create_pool
from shared.testing.events import new_event
from shared.testing.kafka import eventually, produce
from shared.testing.prometheus import PrometheusApi, dashboard_panels, write_config
from shared.testing.servers import LocalServers, new_topic_prefix
from shared.testing.stack import SERVICES, ServiceStack

pytestmark = pytest.mark.e2e

WAVES, PER_WAVE = 4, 10  # valid complaints; each wave also has one without a text (rejected, dead-lettered)
OVERDUE = "SlaDeadlinesOverdue"
# Queries that may answer nothing in this run: Messenger's metrics come with a later issue, and a failure
# ratio needs a failed text.
MAY_BE_EMPTY = ("messenger", "failure_ratio")


def fast_rules(directory: Path) -> list[Path]:
    """The project's rule files, with every ``for:`` at 3 s and the overdue alert's tolerance at 10 s (more
    than a scrape and a refresh of the deadline gauge, so that a healthy sla service never trips it)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted((PROMETHEUS_DIR / "rules").glob("*.yml")):
        rules = yaml.safe_load(path.read_text())
        for group in rules["groups"]:
            for rule in group["rules"]:
                if "for" in rule:
                    rule["for"] = "3s"
                if rule.get("alert") == OVERDUE:
                    assert rule["expr"].endswith("> 60"), rule["expr"]
                    rule["expr"] = rule["expr"].removesuffix("> 60") + "> 10"
        written.append(directory / path.name)
        written[-1].write_text(yaml.safe_dump(rules))
    return written


@pytest.fixture
def stack(isolated_servers: LocalServers, tmp_path: Path) -> Iterator[ServiceStack]:
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": isolated_servers.kafka.bootstrap_servers,
        "DATABASE_URL": isolated_servers.new_database(),
        "TOPIC_PREFIX": new_topic_prefix(),
        "SLA_METRICS_INTERVAL": "1",
    }
    started = ServiceStack(env, tmp_path / "logs")
    try:
        started.start()
        yield started
    finally:
        started.stop()


@pytest.fixture
async def prometheus(stack: ServiceStack, tmp_path: Path) -> AsyncIterator[PrometheusApi]:
    targets = {name: [stack.url(name).removeprefix("http://")] for name in SERVICES}
    config = write_config(tmp_path / "prometheus-config", targets, fast_rules(tmp_path / "rules"))
    server = PrometheusServer(tmp_path / "prometheus", config=config, port=free_port())
    await asyncio.to_thread(server.start)
    try:
        async with httpx.AsyncClient() as client:
            yield PrometheusApi(server.url, client)
    finally:
        await asyncio.to_thread(server.stop)


async def test_prometheus_sees_the_stack_its_dashboard_and_its_alerts(
    stack: ServiceStack, prometheus: PrometheusApi, isolated_servers: LocalServers
) -> None:
    env = stack.env
    api = prometheus

    async def every_target_up() -> bool:
        targets = await api.targets()
        return sorted(t["labels"]["job"] for t in targets if t["health"] == "up") == sorted(SERVICES)

    assert await eventually(every_target_up, within=60, interval=0.5)

    # Complaints in waves, each seen by a scrape before the next: a counter's first value shows no rate
    # (its series begins with it), so traffic in one burst would leave every rate at 0.
    run = uuid.uuid4().hex[:6]
    topic = f"{env['TOPIC_PREFIX']}complaints.submissions"
    for wave in range(WAVES):
        bad = encode(submission(channel_message_id=f"{run}-bad-{wave}", text=None))
        bodies = [*kafka_bodies(PER_WAVE, f"{run}-{wave}"), bad]
        await produce(env["KAFKA_BOOTSTRAP_SERVERS"], topic, [(None, body) for body in bodies])
        seen_so_far = partial(_above, api, "sum(complaints_received_total)", (wave + 1) * (PER_WAVE + 1) - 1)
        assert await eventually(seen_so_far, within=60)

    # The demo policy escalates an unacknowledged case after 30 s: wait for the rules to see it.
    escalated = "sum(level_reason:cases_escalated:increase1h)"
    assert await eventually(lambda: _positive(api, escalated), within=120, interval=0.5)

    answered: dict[str, list[dict[str, Any]]] = {}
    for panel in dashboard_panels():
        for query in panel.queries:
            answered[query.expr] = await api.query(query.expr)
    empty = [
        expr for expr, result in answered.items() if not result and not any(m in expr for m in MAY_BE_EMPTY)
    ]
    assert empty == [], "dashboard queries without an answer"
    assert await _positive(api, "sum(channel:complaints_received:rate5m)")
    assert {s["metric"]["outcome"] for s in answered["outcome:cases_routed:rate5m"]} >= {"assigned"}
    assert {s["metric"]["topic"] for s in answered["topic:dlq_messages:increase15m"]} >= {
        f"{env['TOPIC_PREFIX']}complaints.submissions.dlq"
    }
    lagging = {
        (s["metric"]["group"], s["metric"]["topic"]) for s in answered["group_topic:consumer_lag_records:max"]
    }
    assert ("routing", f"{env['TOPIC_PREFIX']}case-events") in lagging
    assert ("intake", f"{env['TOPIC_PREFIX']}complaints.submissions") in lagging

    # The sla service stops with deadlines open: the overdue alert goes pending, then fires.
    assert await _positive(api, "max(sla_open_deadlines)")
    assert await _state(api, OVERDUE) is None, "the alert is raised while the sla service runs"
    await asyncio.to_thread(stack.kill, "sla")
    seen: list[str] = []

    async def fired() -> bool:
        state = await _state(api, OVERDUE)
        if state is not None and state not in seen:
            seen.append(state)
        return state == "firing"

    assert await eventually(fired, within=120, interval=0.2)
    assert seen == ["pending", "firing"]

    # Kafka stops with events stored: the oldest one waiting in the outbox grows older.
    await asyncio.to_thread(isolated_servers.kafka.stop)
    async with create_pool(env["DATABASE_URL"], min_size=1, max_size=2) as pool:
        await _append(pool, cases=5)
    age = "max(outbox_oldest_event_age_seconds)"
    assert await eventually(lambda: _positive(api, age), within=60, interval=0.5)
    first = await api.value(age)
    assert first is not None
    assert await eventually(lambda: _above(api, age, first), within=60, interval=0.5)
    assert await _above(api, "max(outbox_pending_events)", 4)

    # Kafka back: the relay publishes what waited, and the outbox is empty again.
    await asyncio.to_thread(isolated_servers.kafka.start)
    assert await eventually(
        lambda: _is(api, f"{age} + max(outbox_pending_events)", 0), within=120, interval=0.5
    )


async def _append(pool: asyncpg.Pool, cases: int) -> None:
    store = PostgresEventStore(pool)
    await store.append_many([Append(uuid.uuid4(), 0, [new_event()]) for _ in range(cases)])


async def _positive(api: PrometheusApi, expr: str) -> bool:
    value = await api.value(expr)
    return value is not None and value > 0


async def _above(api: PrometheusApi, expr: str, floor: float) -> bool:
    value = await api.value(expr)
    return value is not None and value > floor


async def _is(api: PrometheusApi, expr: str, wanted: float) -> bool:
    return await api.value(expr) == wanted


async def _state(api: PrometheusApi, name: str) -> str | None:
    states = {alert["state"] for alert in await api.alerts() if alert["labels"]["alertname"] == name}
    return "firing" if "firing" in states else next(iter(states), None)
