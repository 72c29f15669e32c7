"""How fast notify dispatches SMS through the dev gateway, beside a raw httpx POST loop to the same gateway
with the same concurrency, in the same run, on servers this benchmark starts for itself.

Notify runs as its own process (``python -m services.notify``), the gateway too. Measured:
- raw: ``SENDS`` POSTs of the same form (To, From, Body, StatusCallback) from ``CONCURRENCY`` tasks;
- notify end to end: ``ComplaintFiled`` events appended to the store -> relayed -> consumed -> notices
  written -> claimed -> sent -> outcome and ``CitizenNotified`` recorded;
- notify's sender alone: pending notices inserted at once -> sent and recorded;
- notify end to end again with the gateway posting delivery receipts (two per message) to notify.
The gateway posts no receipts in the first three, so that raw and notify ask the same work of it.

Run with ``make bench-notify``; prints one table and writes ``bench-results/notify.json``.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TypeVar

import asyncpg
import httpx

from bench.common import (
    Comparison,
    Rate,
    measure,
    on_local_servers,
    publish,
    run_concurrently,
    split,
)
from services.intake.bootstrap import MIGRATIONS as INTAKE_MIGRATIONS
from services.intake.vault import PersonalDataVault
from services.notify.domain.texts import load_texts
from services.notify.settings import TEMPLATES
from shared.contacts import CitizenContact
from shared.eventstore import Append, PostgresEventStore, migrate
from shared.testing.events import new_event
from shared.testing.servers import LocalServers, ServiceProcess, new_topic_prefix
from tests.integration.notify.support import Gateway
from tests.unit.notify.cases import filing, new_reference

SENDS = 2_000  # messages per measurement
ROUNDS = 2  # of raw, notify end to end, notify's sender alone
CONCURRENCY = 16  # notify's SMS_SEND_CONCURRENCY default, and the raw loop's tasks
POLL = 0.05  # seconds between two looks at how many notices are sent
TIMEOUT = 120.0
NOTES = [
    "Raw: one httpx.AsyncClient, CONCURRENCY tasks POSTing Twilio's Messages.json form to the dev gateway.",
    f"Best of {ROUNDS} alternating rounds for raw, notify end to end and notify's sender alone.",
    "Notify end to end includes the outbox relay, the Kafka consumer, the notices' transaction, claiming, "
    "sending, and recording each outcome with its CitizenNotified event.",
    "Notify, the gateway, PostgreSQL and Kafka share the machine's cores with the benchmark (and, when this "
    "was run, with other work): numbers are noisy; compare ratios within one run.",
]

Sends = list[Sequence[tuple[str, str]]]  # (to, body) per raw task
P = TypeVar("P")


def bodies(count: int) -> list[tuple[str, str]]:
    texts = load_texts(TEMPLATES)
    return [
        (f"+8551{n:07d}", texts.render("filed", "en", {"reference": new_reference()}).body)
        for n in range(count)
    ]


async def raw_loop(gateway: str, callback: str, plans: Sends) -> float:
    url = f"{gateway}/2010-04-01/Accounts/ACdev/Messages.json"
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(auth=("ACdev", ""), limits=limits, timeout=30) as client:

        async def worker(mine: Sequence[tuple[str, str]]) -> None:
            for to, body in mine:
                form = {"To": to, "From": "COMPLAINTS", "Body": body, "StatusCallback": callback}
                for attempt in range(3):  # as notify does, try again when the connection fails
                    try:
                        (await client.post(url, data=form)).raise_for_status()
                        break
                    except httpx.TransportError:
                        if attempt == 2:
                            raise

        return await run_concurrently(worker(mine) for mine in plans)


async def last_id(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT coalesce(max(id), 0) FROM notifications"))


async def until_sent(pool: asyncpg.Pool, after: int, count: int) -> None:
    """Wait until ``count`` notices after id ``after`` exist and none is open; check they were all sent.

    Both counts follow an index (the primary key, the partial index of open notices), so that looking
    costs the database little while notify works.
    """
    deadline = time.monotonic() + TIMEOUT
    while True:
        row = await pool.fetchrow(
            """SELECT (SELECT count(*) FROM notifications WHERE id > $1),
                      (SELECT count(*) FROM notifications
                       WHERE status IN ('waiting', 'pending', 'sending'))""",
            after,
        )
        assert row is not None
        created, still_open = row
        if created >= count and still_open == 0:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"notify did not send {count} SMS within {TIMEOUT} s")
        await asyncio.sleep(POLL)
    sent = await pool.fetchval("SELECT count(*) FROM notifications WHERE id > $1 AND status = 'sent'", after)
    if sent != count:
        raise RuntimeError(f"{count - sent} of {count} notices were not sent")


async def with_contacts(pool: asyncpg.Pool, count: int) -> list[uuid.UUID]:
    """``count`` citizens with phones in the vault (set up outside the timing)."""
    contacts = [
        CitizenContact(citizen_id=uuid.uuid4(), phone=f"+8552{uuid.uuid4().int % 10**7:07d}", language="en")
        for _ in range(count)
    ]
    async with pool.acquire() as connection:
        await migrate(connection, [INTAKE_MIGRATIONS])  # the vault is intake's table
        await PersonalDataVault(pool).put_many(contacts, connection=connection)
    return [contact.citizen_id for contact in contacts]


async def end_to_end(pool: asyncpg.Pool, appends: list[Append]) -> float:
    """Append the filings, 500 to a statement; the seconds until every one's SMS is sent and recorded."""
    after = await last_id(pool)
    started = time.perf_counter()
    store = PostgresEventStore(pool)
    for start in range(0, len(appends), 500):
        await store.append_many(appends[start : start + 500])
    await until_sent(pool, after, len(appends))
    return time.perf_counter() - started


async def sender_only(pool: asyncpg.Pool, rows: list[list[object]]) -> float:
    """Insert pending notices in one statement; the seconds until every one is sent and recorded."""
    after = await last_id(pool)
    started = time.perf_counter()
    await pool.execute(
        """INSERT INTO notifications (about_event_id, about_type, case_id, recipient, citizen_id, language,
                                      template, body, encoding, segments, status)
           SELECT about, 'ComplaintFiled', case_id, 'citizen', citizen, 'en', 'filed', body, 'GSM-7', 1,
                  'pending'
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[]) AS r(about, case_id, citizen, body)""",
        *rows,
    )
    await until_sent(pool, after, len(rows[0]))
    return time.perf_counter() - started


async def run_all(servers: LocalServers, root: Path) -> dict[str, Rate]:
    gateway_process = ServiceProcess("devsms", {}, root / "devsms.log")
    gateway_process.start()
    gateway = Gateway(gateway_process.url)
    await gateway.control(receipts="none")
    database = servers.new_database()
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": servers.kafka.bootstrap_servers,
        "DATABASE_URL": database,
        "TOPIC_PREFIX": new_topic_prefix(),
        "SMS_API_BASE": gateway.url,
        "SMS_SEND_CONCURRENCY": str(CONCURRENCY),
        # The runs send more than a day's default budget (10,000): the budgets are charged, never reached.
        "SMS_PER_DAY": "10000000",
        "LOG_LEVEL": "WARNING",
    }
    notify = ServiceProcess("notify", env, root / "notify.log")
    notify.start()
    callback = f"{notify.url}/webhooks/sms-status"
    rates: dict[str, Rate] = {}
    try:
        async with asyncpg.create_pool(database, min_size=1, max_size=4) as pool:

            async def plan_appends(count: int) -> list[Append]:
                citizens = await with_contacts(pool, count)
                return [Append(uuid.uuid4(), 0, [new_event(filing(citizen))]) for citizen in citizens]

            async def plan_rows(count: int) -> list[list[object]]:
                citizens = await with_contacts(pool, count)
                texts: list[object] = [body for _, body in bodies(count)]
                return [
                    [uuid.uuid4() for _ in citizens],
                    [uuid.uuid4() for _ in citizens],
                    list[object](citizens),
                    texts,
                ]

            def plan_raw(count: int) -> Sends:
                return split(bodies(count), CONCURRENCY)

            # Rounds alternate raw and notify, and each keeps its best, so that a burst of load from
            # elsewhere on the machine does not decide the comparison.
            runs: dict[str, list[Rate]] = {"raw": [], "e2e": [], "sender": []}
            for _ in range(ROUNDS):
                runs["raw"].append(
                    await measure(
                        f"raw httpx POST loop, {CONCURRENCY} at once", SENDS, plan_raw,
                        lambda plans: raw_loop(gateway.url, callback, plans),
                    )
                )  # fmt: skip
                runs["e2e"].append(
                    await measure_async(
                        f"notify end to end, {CONCURRENCY} at once", SENDS, plan_appends,
                        lambda a: end_to_end(pool, a),
                    )
                )  # fmt: skip
                runs["sender"].append(
                    await measure_async(
                        "notify sender alone (pending notices -> sent)", SENDS, plan_rows,
                        lambda r: sender_only(pool, r),
                    )
                )  # fmt: skip
            rates = {name: max(found, key=lambda rate: rate.per_second) for name, found in runs.items()}
            await gateway.control(receipts="all")
            rates["receipts"] = await measure_async(
                "notify end to end, with delivery receipts",
                SENDS,
                plan_appends,
                lambda a: end_to_end(pool, a),
            )
    finally:
        notify.stop()
        gateway_process.stop()
    return rates


async def measure_async(
    name: str, events: int, plan: Callable[[int], Awaitable[P]], run: Callable[[P], Awaitable[float]]
) -> Rate:
    """:func:`bench.common.measure` for plans that need the database: both are built before any timing."""
    built = iter([await plan(max(events // 50, 16)), await plan(events)])
    return await measure(name, events, lambda _: next(built), run)


def comparisons(rates: dict[str, Rate]) -> list[Comparison]:
    return [
        Comparison(rates["e2e"], rates["raw"], target=0.7),
        Comparison(rates["sender"], rates["raw"]),
        Comparison(rates["receipts"], rates["raw"]),
    ]


def main() -> None:
    rates = on_local_servers("notify", run_all)
    title = "notify benchmark (SMS/s; ratio = measurement / baseline; load average {:.1f})"
    path = publish("notify", title, list(rates.values()), comparisons(rates), NOTES)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
