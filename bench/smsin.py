"""How fast intake's SMS webhook takes texts, signature checked, beside a raw FastAPI form endpoint measured
in the same run on the same machine (``make bench-smsin``; writes ``bench-results/smsin.json``).

Intake runs as its own process with ``SMS_AUTH_TOKEN`` set, so every message's ``X-Twilio-Signature`` is
checked; each message is one transaction that records it, spends the sender's budget, reads the sender's
cases and acts. Half the texts are new complaints from distinct numbers (a filing each), half are
``STATUS <reference>`` questions about those cases. The raw endpoint (bench/raw_form.py) parses the same
form and answers empty TwiML: the ceiling of FastAPI and uvicorn for this form on this machine.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlencode

import asyncpg

from bench.common import Comparison, Rate, on_local_servers, post_keep_alive, render, report, write_json
from bench.intake import percentiles
from shared.localstack.kafka import PROJECT_ROOT
from shared.localstack.process import free_port, http_ok, terminate, wait_until
from shared.sms.signature import twilio_signature
from shared.testing.servers import LocalServers, ServiceProcess, new_topic_prefix

TOKEN = "bench-twilio-token"
TEXTS = 4000  # per measured run
WARM_UP = 200
CONCURRENCY = 16
_NUMBERS = itertools.count(1)


def signed_requests(url: str, path: str, count: int, tag: str, references: Sequence[str] = ()) -> list[bytes]:
    """``count`` inbound texts as raw HTTP/1.1 requests, each signed over ``url``: complaints from new
    numbers, or STATUS questions about ``references`` when there are some."""
    requests = []
    for i in range(count):
        phone = f"+85597{next(_NUMBERS):07d}"  # a valid Metfone number, a new one for every text
        body = f"STATUS {references[i % len(references)]}" if references else (
            f"{tag} {i}: my moto was stolen near the market in Siem Reap"
        )  # fmt: skip
        fields = {"From": phone, "To": "+85523000000", "Body": body, "MessageSid": f"SM{uuid.uuid4().hex}",
                  "NumSegments": "1", "AccountSid": "ACbench"}  # fmt: skip
        form = urlencode(fields).encode()
        signature = twilio_signature(TOKEN, url, fields.items())
        requests.append(
            f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"X-Twilio-Signature: {signature}\r\nContent-Length: {len(form)}\r\n\r\n".encode()
            + form
        )
    return requests


async def post_all(port: int, requests: Sequence[bytes], name: str) -> tuple[Rate, list[float]]:
    """Send ``requests`` on ``CONCURRENCY`` keep-alive connections; the rate and each answer's time."""
    seconds, latencies = await post_keep_alive(port, requests, CONCURRENCY, b"HTTP/1.1 200", name)
    rate = Rate(name, len(requests), seconds)
    report(rate)
    return rate, latencies


def start_raw(port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """bench/raw_form.py under uvicorn, configured as every service's HTTP server is, once it answers."""
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bench.raw_form:app", "--port", str(port), "--loop", "uvloop",
             "--http", "httptools", "--log-level", "warning", "--no-access-log"],
            cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ),
        )  # fmt: skip
    ready = f"http://127.0.0.1:{port}/docs"
    wait_until(lambda: http_ok(ready), what="raw form endpoint", timeout=60, log=log_path)
    return process


async def raw_endpoint(log_dir: Path) -> tuple[Rate, list[float]]:
    port = free_port()
    process = await asyncio.to_thread(start_raw, port, log_dir / "raw_form.log")
    try:
        url = f"http://127.0.0.1:{port}/webhooks/sms"
        await post_all(port, signed_requests(url, "/webhooks/sms", WARM_UP, "warm"), "warm-up")
        requests = signed_requests(url, "/webhooks/sms", TEXTS, "raw")
        return await post_all(port, requests, f"raw FastAPI form endpoint, {CONCURRENCY} in flight")
    finally:
        terminate(process.pid, timeout=20)


async def run_all(servers: LocalServers, log_dir: Path) -> tuple[dict[str, Rate], list[str]]:
    rates: dict[str, Rate] = {}
    lines: list[str] = []
    rates["raw"], latency = await raw_endpoint(log_dir)
    lines.append(percentiles(f"raw form endpoint answer time, {CONCURRENCY} in flight", latency))
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": servers.kafka.bootstrap_servers,
        "DATABASE_URL": await asyncio.to_thread(servers.new_database),
        "TOPIC_PREFIX": new_topic_prefix(),
        "SMS_AUTH_TOKEN": TOKEN,
        "MESSAGES_PER_SENDER_PER_HOUR": "100000",
    }
    service = ServiceProcess("intake", env, log_dir / "intake.log")
    await asyncio.to_thread(service.start)
    try:
        await asyncio.to_thread(
            wait_until, lambda: http_ok(f"{service.url}/readyz"), what="intake ready", timeout=60,
            log=service.log_path,
        )  # fmt: skip
        url = f"{service.url}/webhooks/sms"
        await post_all(service.port, signed_requests(url, "/webhooks/sms", WARM_UP, "warm"), "warm-up")
        rates["complaints"], latency = await post_all(
            service.port, signed_requests(url, "/webhooks/sms", TEXTS, "complaint"),
            f"intake: texts filing complaints, {CONCURRENCY} in flight",
        )  # fmt: skip
        lines.append(percentiles("intake: answer time of a text filing a complaint", latency))
        async with asyncpg.create_pool(env["DATABASE_URL"], min_size=1, max_size=1) as pool:
            references = [r["reference"] for r in await pool.fetch("SELECT reference FROM intake_references")]
        rates["status"], latency = await post_all(
            service.port, signed_requests(url, "/webhooks/sms", TEXTS, "status", references),
            f"intake: STATUS texts, {CONCURRENCY} in flight",
        )  # fmt: skip
        lines.append(percentiles("intake: answer time of a STATUS text", latency))
    finally:
        await asyncio.to_thread(service.stop)
    return rates, lines


NOTES = (
    f"Raw limit: bench/raw_form.py under uvicorn (uvloop, httptools), parsing the same signed form and "
    f"answering empty TwiML; {TEXTS} requests, {CONCURRENCY} in flight on keep-alive connections, from a "
    "plain asyncio HTTP/1.1 client in the benchmark's process, in the same run.",
    "intake: python -m services.intake with SMS_AUTH_TOKEN set: each text's X-Twilio-Signature is checked, "
    "then one transaction records it, spends the sender's budget, reads the sender's cases and acts. "
    f"{TEXTS} complaints from distinct numbers (each a filing), then {TEXTS} STATUS questions about them.",
    "Answer time is per request, as the client saw it; the load generator shares the 2 cores with intake, "
    "PostgreSQL and Kafka. Numbers taken while other work runs on the machine are noisy.",
)


def main() -> None:
    rates, lines = on_local_servers("smsin", run_all)
    compared = [Comparison(rates["complaints"], rates["raw"]), Comparison(rates["status"], rates["raw"])]
    print()
    print(render("SMS webhook benchmark (texts/s; ratio = measurement / raw form endpoint)", compared))
    print("\n".join(lines))
    path = write_json("smsin", list(rates.values()), compared, [*NOTES, *lines])
    print(f"written to {path}")


if __name__ == "__main__":
    main()
