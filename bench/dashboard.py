"""A picture of the dashboard from a real run: ``make dashboard-png`` writes docs/dashboard.png.

Starts Kafka, PostgreSQL, the four services (demo SLA policy in seconds) and a Prometheus with the project's
rules, then plays seven minutes of a day on call: complaints every second (one in ~60 without a text, so
dead-lettered), one citizen phone in eight refused by the gateway as invalid, Kafka down for 45 s while the
web keeps filing, the sla service down for a minute. Then it asks Prometheus for every query of the
dashboard over the run and draws the panels (bench/dashboard_plot.py).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvloop

from bench.dashboard_plot import Series, render
from bench.intake import encode, kafka_bodies, phone, submission
from shared.localstack.kafka import PROJECT_ROOT
from shared.localstack.process import free_port
from shared.localstack.prometheus import PROMETHEUS_DIR, PrometheusServer
from shared.testing.kafka import eventually, produce
from shared.testing.prometheus import PrometheusApi, dashboard_panels, write_config
from shared.testing.servers import UNBOUNDED_COMPLAINTS, LocalServers, new_topic_prefix
from shared.testing.stack import SERVICES, ServiceStack

OUTPUT = PROJECT_ROOT / "docs" / "dashboard.png"
PER_SECOND = 4  # complaints over Kafka each second the broker is up
WEB_PER_SECOND = 1  # complaints over HTTP each second Kafka is down
BAD_EVERY = 15  # seconds between two submissions without a text
INVALID_EVERY = 8  # one citizen phone in this many is refused by the gateway (error 21211)
STEP = 5.0  # seconds between two points of a graph


@dataclass(frozen=True)
class Plan:
    """When things happen, in seconds from the start of the load."""

    kafka_down: float = 120.0
    kafka_up: float = 165.0
    sla_down: float = 240.0
    sla_up: float = 300.0
    end: float = 420.0


@dataclass
class Run:
    """The load and the outages of one run, and what happened when (Unix seconds)."""

    servers: LocalServers
    stack: ServiceStack
    plan: Plan
    topic: str
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    queued: list[bytes] = field(default_factory=list)  # the run's Kafka submissions, made beforehand
    web: int = 0
    refused: int = 0  # web submissions intake did not answer 202
    held: list[bytes] = field(default_factory=list)  # what the upstream channel keeps while Kafka is down
    marks: list[tuple[float, str]] = field(default_factory=list)

    async def play(self, client: httpx.AsyncClient) -> tuple[float, float]:
        """Feed and break the stack as the plan says; the run's start and end."""
        await self._refuse_some_phones(client)
        self.queued = kafka_bodies(PER_SECOND * int(self.plan.end), self.tag)[::-1]  # popped from the end
        events: list[tuple[float, str, Callable[[], Awaitable[None]]]] = [
            (self.plan.kafka_down, "Kafka stopped", self._stop_kafka),
            (self.plan.kafka_up, "Kafka back", self._start_kafka),
            (self.plan.sla_down, "sla stopped", self._stop_sla),
            (self.plan.sla_up, "sla back", self._start_sla),
        ]
        started = time.time()
        for second in range(int(self.plan.end)):
            await asyncio.sleep(max(0.0, started + second - time.time()))
            while events and events[0][0] <= second:
                _, what, act = events.pop(0)
                self.marks.append((time.time(), what))
                print(f"  {second:4d} s: {what}", flush=True)
                await act()
            kafka_up = not (self.plan.kafka_down <= second < self.plan.kafka_up)
            await self._feed(client, second, kafka_up)
        return started, time.time()

    async def _feed(self, client: httpx.AsyncClient, second: int, kafka_up: bool) -> None:
        if not kafka_up:
            self.held.extend(self._bodies(PER_SECOND))
            for _ in range(WEB_PER_SECOND):
                self.web += 1
                citizen = {"name": "Sok Dara", "phone": phone(100_000 + self.web)}
                body = submission(
                    channel=None, channel_message_id=f"{self.tag}-web-{self.web}", citizen=citizen
                )
                answer = await client.post(f"{self.stack.url('intake')}/v1/complaints", json=body)
                self.refused += answer.status_code != 202
            return
        bodies = [*self.held, *self._bodies(PER_SECOND)]
        if second % BAD_EVERY == 0:
            bodies.append(encode(submission(channel_message_id=f"{self.tag}-bad-{second}", text=None)))
        self.held = []
        await produce(self.servers.kafka.bootstrap_servers, self.topic, [(None, body) for body in bodies])

    def _bodies(self, count: int) -> list[bytes]:
        return [self.queued.pop() for _ in range(min(count, len(self.queued)))]

    async def _refuse_some_phones(self, client: httpx.AsyncClient) -> None:
        invalid = [f"+855{phone(n)[1:]}" for n in range(0, 4000) if n % INVALID_EVERY == 5]
        answer = await client.post(f"{self.stack.gateway.url}/control", json={"invalid_numbers": invalid})
        answer.raise_for_status()

    async def _stop_kafka(self) -> None:
        await asyncio.to_thread(self.servers.kafka.stop)

    async def _start_kafka(self) -> None:
        await asyncio.to_thread(self.servers.kafka.start)

    async def _stop_sla(self) -> None:
        await asyncio.to_thread(self.stack.kill, "sla")

    async def _start_sla(self) -> None:
        await asyncio.to_thread(self.stack.restart, "sla")


async def picture(root: Path, output: Path, plan: Plan) -> None:
    servers = LocalServers(root / "servers")
    print("starting Kafka and PostgreSQL", flush=True)
    await asyncio.to_thread(servers.start)
    prefix = new_topic_prefix()
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": servers.kafka.bootstrap_servers,
        "DATABASE_URL": servers.new_database(),
        "TOPIC_PREFIX": prefix,
        "SLA_METRICS_INTERVAL": "2",
        **UNBOUNDED_COMPLAINTS,
    }
    stack = ServiceStack(env, root / "logs")
    prometheus: PrometheusServer | None = None
    try:
        print("starting the services", flush=True)
        await asyncio.to_thread(stack.start)
        targets = {name: [stack.url(name).removeprefix("http://")] for name in SERVICES}
        rules = sorted((PROMETHEUS_DIR / "rules").glob("*.yml"))
        config = write_config(
            root / "prometheus-config", targets, rules, scrape_every="5s", evaluate_every="5s"
        )
        prometheus = PrometheusServer(root / "prometheus", config=config, port=free_port())
        await asyncio.to_thread(prometheus.start)
        async with httpx.AsyncClient(timeout=30) as client:
            api = PrometheusApi(prometheus.url, client)
            assert await eventually(lambda: _all_up(api), within=60, interval=0.5), "targets not up"
            print(
                f"playing {plan.end:.0f} s of load and outages (Prometheus at {prometheus.url})", flush=True
            )
            run = Run(servers, stack, plan, f"{prefix}complaints.submissions")
            start, end = await run.play(client)
            print(f"  web submissions during the outage: {run.web}, not accepted: {run.refused}", flush=True)
            await asyncio.sleep(2 * STEP)  # the last scrapes and evaluations
            series = await _series(api, start - 30, end + 2 * STEP)
        title = "Complaints: operations (a 7-minute run)"
        render(dashboard_panels(), series, output, title=title, window=(start - 30, end), marks=run.marks)
        print(f"wrote {output}", flush=True)
    finally:
        if prometheus is not None:
            await asyncio.to_thread(prometheus.stop)
        await asyncio.to_thread(stack.stop)
        await asyncio.to_thread(servers.stop)


async def _series(api: PrometheusApi, start: float, end: float) -> dict[str, list[Series]]:
    found: dict[str, list[Series]] = {}
    for panel in dashboard_panels():
        lines = found.setdefault(panel.title, [])
        for query in panel.queries:
            for result in await api.query_range(query.expr, start, end, STEP):
                points = [(float(t), float(v)) for t, v in result["values"]]
                lines.append(Series(query.name(result["metric"]), points))
    return found


async def _all_up(api: PrometheusApi) -> bool:
    up = [target for target in await api.targets() if target["health"] == "up"]
    return len(up) == len(SERVICES)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard", description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dashboard-") as root:
        uvloop.run(picture(Path(root), args.output, Plan()))


if __name__ == "__main__":
    main()
