"""How fast intake takes Messenger webhook deliveries (signature checked, every message filed durably
before the 200), in batches of 1 and of 50 messages, and how fast the shared Send API client sends; each
beside its raw limit measured in the same run, on servers this benchmark starts for itself.

- raw webhook: a bare FastAPI endpoint reading and parsing the same bodies (``bench/raw_webhook.py``);
- intake: ``python -m services.intake`` on the same bodies, signed, each message a new citizen's complaint;
- raw Send API: plain httpx POSTs of the same JSON to the dev Messenger gateway;
- Send API client: ``shared.messenger.send_api.SendApiClient`` (classification, metrics) to the same gateway.
Every sender keeps ``CONCURRENCY`` requests in flight. Run with ``make bench-messenger``.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
from prometheus_client import CollectorRegistry

from bench.common import Comparison, Rate, on_local_servers, publish, report
from shared.localstack import free_port
from shared.localstack.kafka import PROJECT_ROOT
from shared.localstack.process import http_ok, terminate, wait_until
from shared.messenger.send_api import SendApiClient, SendApiMetrics
from shared.messenger.settings import DEV_PAGE_ACCESS_TOKEN
from shared.testing.servers import LocalServers, ServiceProcess, new_topic_prefix
from tests.unit.messenger.payloads import batch, signed, text

CONCURRENCY = 16
MESSAGES = 2_000  # per webhook measurement
SENDS = 2_000
TEXT = "Complaint P64X6YY8 has been sent to the district police."
NOTES = [
    f"Every client keeps {CONCURRENCY} requests in flight over one httpx.AsyncClient.",
    "Webhook: each message a new citizen's complaint (a vault row, a reference, a ComplaintFiled event "
    "and its outbox row), durable before the 200; the raw endpoint reads and parses the same bodies and "
    "stores nothing.",
    "Send API: to the dev Messenger gateway, which records each text in memory; raw is plain httpx.",
    "Intake, the gateway, PostgreSQL and Kafka share the machine's cores with the benchmark client: compare "
    "ratios within one run.",
]


def deliveries(messages: int, per_batch: int) -> list[tuple[bytes, dict[str, str]]]:
    bodies = []
    for start in range(0, messages, per_batch):
        items = [
            text(
                f"psid-{uuid.uuid4().hex[:16]}",
                f"m_{uuid.uuid4().hex}",
                "The police post in Kampot asks for money",
            )
            for _ in range(min(per_batch, messages - start))
        ]
        bodies.append(signed(batch(items)))
    return bodies


async def post_all(url: str, bodies: list[tuple[bytes, dict[str, str]]]) -> float:
    queue: asyncio.Queue[tuple[bytes, dict[str, str]]] = asyncio.Queue()
    for item in bodies:
        queue.put_nowait(item)
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def worker() -> None:
            while not queue.empty():
                body, headers = queue.get_nowait()
                answer = await client.post(url, content=body, headers=headers)
                if answer.status_code != 200:
                    raise RuntimeError(f"the webhook answered {answer.status_code}: {answer.text[:200]}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return time.perf_counter() - started


async def webhook(name: str, url: str, per_batch: int) -> Rate:
    await post_all(url, deliveries(max(MESSAGES // 20, per_batch), per_batch))  # warm-up
    seconds = await post_all(url, deliveries(MESSAGES, per_batch))
    rate = Rate(name, MESSAGES, seconds)
    report(rate)
    return rate


async def raw_sends(graph: str) -> Rate:
    url = f"{graph}/me/messages"
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def worker(count: int) -> None:
            for _ in range(count):
                body = {"recipient": {"id": "6000000000000001"}, "messaging_type": "UPDATE",
                        "message": {"text": TEXT}}  # fmt: skip
                answer = await client.post(url, params={"access_token": DEV_PAGE_ACCESS_TOKEN}, json=body)
                answer.raise_for_status()

        await asyncio.gather(*(worker(10) for _ in range(CONCURRENCY)))
        started = time.perf_counter()
        await asyncio.gather(*(worker(SENDS // CONCURRENCY) for _ in range(CONCURRENCY)))
        seconds = time.perf_counter() - started
    rate = Rate("raw httpx POST /me/messages", SENDS // CONCURRENCY * CONCURRENCY, seconds)
    report(rate)
    return rate


async def client_sends(graph: str) -> Rate:
    client = SendApiClient(graph, DEV_PAGE_ACCESS_TOKEN, SendApiMetrics(CollectorRegistry()),
                           max_connections=CONCURRENCY)  # fmt: skip
    await client.start()
    try:

        async def worker(count: int) -> None:
            for _ in range(count):
                answer = await client.send_text("6000000000000001", TEXT, "UPDATE")
                if answer.outcome != "sent":
                    raise RuntimeError(answer.reason)

        await asyncio.gather(*(worker(10) for _ in range(CONCURRENCY)))
        started = time.perf_counter()
        await asyncio.gather(*(worker(SENDS // CONCURRENCY) for _ in range(CONCURRENCY)))
        seconds = time.perf_counter() - started
    finally:
        await client.close()
    rate = Rate("SendApiClient.send_text", SENDS // CONCURRENCY * CONCURRENCY, seconds)
    report(rate)
    return rate


async def run_all(servers: LocalServers, root: Path) -> dict[str, Rate]:
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": servers.kafka.bootstrap_servers,
        "DATABASE_URL": servers.new_database(),
        "TOPIC_PREFIX": new_topic_prefix(),
    }
    gateway = ServiceProcess("devmessenger", {}, root / "devmessenger.log")
    intake = ServiceProcess(
        "intake", {**env, "FACEBOOK_GRAPH_API_BASE": "http://127.0.0.1:9"}, root / "intake.log"
    )
    raw_port = free_port()
    raw = _start_raw(raw_port, root / "raw.log")
    try:
        gateway.start()
        intake.start()
        raw_url, intake_url = (
            f"http://127.0.0.1:{raw_port}/webhooks/facebook",
            f"{intake.url}/webhooks/facebook",
        )
        rates: dict[str, Rate] = {}
        for per_batch in (1, 50):
            rates[f"raw_{per_batch}"] = await webhook(
                f"raw webhook, batches of {per_batch}", raw_url, per_batch
            )
            rates[f"intake_{per_batch}"] = await webhook(
                f"intake webhook, batches of {per_batch}", intake_url, per_batch
            )
        graph = f"{gateway.url}/v21.0"
        rates["raw_send"] = await raw_sends(graph)
        rates["client_send"] = await client_sends(graph)
        return rates
    finally:
        intake.stop()
        gateway.stop()
        terminate(raw.pid, timeout=10)


def _start_raw(port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.raw_webhook"], env={"HTTP_PORT": str(port)},
            cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    wait_until(lambda: http_ok(f"http://127.0.0.1:{port}/docs"), what="raw webhook", timeout=30, log=log)
    return process


def comparisons(rates: dict[str, Rate]) -> list[Comparison]:
    return [
        Comparison(rates["intake_1"], rates["raw_1"]),
        Comparison(rates["intake_50"], rates["raw_50"]),
        Comparison(rates["client_send"], rates["raw_send"]),
    ]


def main() -> None:
    rates = on_local_servers("messenger", run_all)
    title = "bench-messenger: messages per second (load average {:.1f})"
    path = publish("messenger", title, list(rates.values()), comparisons(rates), NOTES)
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
