"""How long the console's heaviest pages take: a unit's inbox with 5,000 open cases (target: under 300 ms)
and the statistics page over 100,000 cases (target: under 1 s), each beside the raw limits of the same run:
the page's own queries run bare from this process, and a page with no query at all (the ops home: the
session's read and a Jinja template).

Intake runs as its own process (``python -m services.intake``) on a database seeded by
``bench/console_seed.py`` (events through the event store's append path, pages' tables rebuilt by the
projections). Requests come one at a time from an httpx client on the same machine, signed in as an
officer would be; each figure is the time from sending the request to the last byte of the answer.
Run with ``make bench-console``; prints one table and writes ``bench-results/console.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import asyncpg
import httpx

from bench.common import on_local_servers, table, write_json
from bench.console_seed import prepare, seed
from services.intake.console.accounts import Accounts
from services.intake.console.queries.inbox import InboxQuery
from services.intake.console.queries.stats import StatsQuery
from services.intake.settings import IntakeSettings
from services.intake.sla_deadlines import SlaDeadlines
from shared.localstack.process import http_ok, wait_until
from shared.places.gazetteer import load_gazetteer
from shared.places.units_file import load_units
from shared.service.clock import system_clock
from shared.testing.servers import LocalServers, ServiceProcess, new_topic_prefix

CASES = 100_000
INBOX_CASES = 5_000
INBOX_UNIT = "police:1203"
SAMPLES = 25
WARM_UP = 3
PASSWORD = "a long enough bench password"
TARGETS = {"inbox": 0.300, "stats": 1.0}  # seconds


@dataclass(frozen=True, slots=True)
class Timing:
    name: str
    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.seconds, n=20, method="inclusive")[18]

    def line(self) -> str:
        return f"{self.name}: median {self.median * 1000:.1f} ms, p95 {self.p95 * 1000:.1f} ms"


@dataclass(frozen=True, slots=True)
class Database:
    pool: asyncpg.Pool


async def timed(name: str, call: Callable[[], Awaitable[object]]) -> Timing:
    """``call`` ``WARM_UP`` times untimed (connections, plans, caches), then ``SAMPLES`` times, one at a
    time."""
    for _ in range(WARM_UP):
        await call()
    seconds = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        await call()
        seconds.append(time.perf_counter() - started)
    timing = Timing(name, seconds)
    print(f"  {timing.line()}", flush=True)
    return timing


async def signed_in(base_url: str, account: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base_url, timeout=60, cookies={"console_lang": "en"})
    form = await client.get("/console/sign-in")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert token, "no CSRF token on the sign-in form"
    answer = await client.post(
        "/console/sign-in", data={"csrf": token[1], "account": account, "password": PASSWORD, "next": ""}
    )
    assert answer.status_code == 303, answer.text
    return client


def page(client: httpx.AsyncClient, path: str, expect: str) -> Callable[[], Awaitable[object]]:
    async def get() -> None:
        answer = await client.get(path)
        if answer.status_code != 200 or expect not in answer.text:
            raise RuntimeError(f"{path} answered {answer.status_code}: {answer.text[:300]}")

    return get


async def run(
    servers: LocalServers, root: Path, cases: int, inbox_cases: int
) -> tuple[dict[str, Timing], dict[str, object]]:
    url = await asyncio.to_thread(servers.new_database)
    units = load_units(IntakeSettings().units_file, load_gazetteer())
    inbox_unit = units.get(INBOX_UNIT)
    assert inbox_unit is not None
    async with asyncpg.create_pool(url, min_size=2, max_size=4) as pool:
        await prepare(pool)
        print(f"seeding {cases:,} cases ({inbox_cases:,} open at {INBOX_UNIT}) ...", flush=True)
        started = time.perf_counter()
        events = await seed(pool, units, cases=cases, inbox_unit=inbox_unit, inbox_cases=inbox_cases,
                            now=datetime.now(UTC))  # fmt: skip
        seeding: dict[str, object] = {"events": events, "seconds": round(time.perf_counter() - started, 1)}
        print(f"  {events:,} events written and projected in {seeding['seconds']} s", flush=True)
        counts = await pool.fetchrow(
            """SELECT count(*) AS cases, count(*) FILTER (WHERE unit_id = $1 AND status IN
                      ('assigned', 'acknowledged', 'awaiting_citizen')) AS inbox FROM intake_cases""",
            INBOX_UNIT,
        )
        assert counts is not None
        seeding |= {"cases": counts["cases"], "inbox_open": counts["inbox"]}
        accounts = Accounts(Database(pool), system_clock, IntakeSettings().digest)
        await accounts.add("bench.unit", "unit", INBOX_UNIT, PASSWORD)
        await accounts.add("bench.wg", "working_group", None, PASSWORD)
        await accounts.add("bench.ops", "ops", None, PASSWORD)

        database = Database(pool)
        inbox_query, stats_query = InboxQuery(database, SlaDeadlines(database)), StatsQuery(database)
        timings = {
            "inbox_sql": await timed("inbox: its queries, bare", lambda: inbox_query.cases(INBOX_UNIT)),
            "stats_sql": await timed(
                "statistics: its queries, bare", lambda: stats_query.read(datetime.now(UTC))
            ),
        }

        env = {
            "KAFKA_BOOTSTRAP_SERVERS": servers.kafka.bootstrap_servers,
            "DATABASE_URL": url,
            "TOPIC_PREFIX": new_topic_prefix(),
        }
        service = ServiceProcess("intake", env, root / "intake.log")
        await asyncio.to_thread(service.start)
        try:
            await asyncio.to_thread(
                wait_until, lambda: http_ok(f"{service.url}/readyz"), what="intake ready", timeout=60,
                log=service.log_path,
            )  # fmt: skip
            clients = [await signed_in(service.url, f"bench.{role}") for role in ("unit", "wg", "ops")]
            unit, wg, ops = clients
            try:
                shown = f"{counts['inbox']} open cases"
                timings["empty"] = await timed(
                    "a page with no query (/console/home)", page(ops, "/console/home", "ops role")
                )
                timings["inbox"] = await timed("inbox page", page(unit, "/console/inbox", shown))
                timings["stats"] = await timed("statistics page", page(wg, "/console/stats", "Open cases"))
            finally:
                for client in clients:
                    await client.aclose()
        finally:
            await asyncio.to_thread(service.stop)
    return timings, seeding


def report(timings: dict[str, Timing], cases: int, inbox_cases: int) -> tuple[str, list[dict[str, object]]]:
    header = ("page", "median", "p95", "target", "", "its queries bare", "page with no query")
    rows: list[Sequence[str]] = []
    document: list[dict[str, object]] = []
    for name, label in (
        ("inbox", f"inbox, {inbox_cases:,} open cases"),
        ("stats", f"statistics, {cases:,} cases"),
    ):
        measured, target = timings[name], TARGETS[name]
        verdict = "PASS" if measured.median < target else "MISS"
        rows.append((
            label, f"{measured.median * 1000:.0f} ms", f"{measured.p95 * 1000:.0f} ms",
            f"< {target * 1000:.0f} ms", verdict, f"{timings[f'{name}_sql'].median * 1000:.0f} ms",
            f"{timings['empty'].median * 1000:.1f} ms",
        ))  # fmt: skip
        document.append({
            "page": name, "median_ms": round(measured.median * 1000, 1),
            "p95_ms": round(measured.p95 * 1000, 1), "target_ms": target * 1000, "verdict": verdict,
            "queries_bare_median_ms": round(timings[f"{name}_sql"].median * 1000, 1),
            "empty_page_median_ms": round(timings["empty"].median * 1000, 1),
        })  # fmt: skip
    return table(
        "console pages (time to the last byte, one request at a time)", header, rows, {1, 2, 5, 6}
    ), document


NOTES = (
    f"Seed: cases over the district police units, filed over 60 days, the inbox's open at {INBOX_UNIT} "
    "(filed in the last 10 days); events appended by PostgresEventStore.append_many (binary COPY per 500 "
    "new streams), intake_cases and sla_deadlines rebuilt by their projections (as python -m cli replay "
    "does), then the outbox emptied and ANALYZE.",
    f"Each page: {WARM_UP} requests untimed, then {SAMPLES} one at a time from an httpx client in the "
    "benchmark's process to intake (python -m services.intake) on the same machine; time to the last byte.",
    "Raw limits of the same run: the page's query object (InboxQuery.cases, StatsQuery.read) called bare "
    "from the benchmark's process on the same database, and /console/home (a session read and a template, "
    "no query).",
    "Numbers taken while other work runs on the machine (2 cores, shared) are noisy; timings are "
    "informational.",
)


def main() -> None:
    parser = argparse.ArgumentParser(description="the console's page timings")
    parser.add_argument("--cases", type=int, default=CASES, help="cases in the database")
    parser.add_argument("--inbox-cases", type=int, default=INBOX_CASES, help="open cases in the unit's inbox")
    options = parser.parse_args()
    timings, seeding = on_local_servers(
        "console", partial(run, cases=options.cases, inbox_cases=options.inbox_cases)
    )
    text, document = report(timings, options.cases, options.inbox_cases)
    print()
    print(text)
    path = write_json(
        "console", [], [], NOTES,
        extra={"pages": document, "seed": seeding, "timings": {k: asdict(v) for k, v in timings.items()}},
    )  # fmt: skip
    print(f"written to {path}")


if __name__ == "__main__":
    main()
