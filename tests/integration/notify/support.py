"""What notify's integration and end-to-end tests share: the dev gateway as a process, notify served in
this process over real HTTP, citizens in the vault and cases in the event store."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import uvicorn
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from services.intake.bootstrap import MIGRATIONS as INTAKE_MIGRATIONS
from services.intake.vault import PersonalDataVault
from services.notify.bootstrap import bootstrap
from services.notify.settings import NotifySettings
from shared.contacts import CitizenContact
from shared.events import EventData
from shared.events.types import Language
from shared.eventstore import Append, PostgresEventStore, migrate
from shared.eventstore.store import Appended
from shared.localstack import free_port
from shared.service.lifecycle import Lifecycle
from shared.testing.events import new_event
from shared.testing.kafka import eventually
from shared.testing.servers import ServiceProcess
from tests.unit.notify.cases import filing

# Fast retries, so that a test sees several attempts in well under a second.
FAST_RETRIES = {
    "SMS_RETRY_FIRST_DELAY_SECONDS": "0.05",
    "SMS_RETRY_MAX_DELAY_SECONDS": "0.2",
    "SMS_MAX_ATTEMPTS": "15",
}


class Gateway:
    """A client of the dev gateway's own API (not the Twilio part)."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        async with httpx.AsyncClient(timeout=30) as client:
            answer: list[dict[str, Any]] = (
                await client.get(f"{self.url}/messages", params={"to": to} if to else {})
            ).json()
        return answer

    async def control(self, **plan: object) -> None:
        async with httpx.AsyncClient(timeout=10) as client:
            (await client.post(f"{self.url}/control", json=plan)).raise_for_status()

    async def stats(self) -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=10) as client:
            answer: dict[str, Any] = (await client.get(f"{self.url}/stats")).json()
        return answer


@contextlib.contextmanager
def running_gateway(log_path: Path, auth_token: str = "") -> Iterator[Gateway]:
    process = ServiceProcess("devsms", {"SMS_AUTH_TOKEN": auth_token}, log_path)
    process.start()
    try:
        yield Gateway(process.url)
    finally:
        process.stop()


@dataclass
class ServedNotify:
    url: str
    app: FastAPI

    @property
    def lifecycle(self) -> Lifecycle:
        lifecycle: Lifecycle = self.app.state.lifecycle
        return lifecycle

    def metric(self, name: str, **labels: str) -> float:
        return self.lifecycle.infrastructure.registry.get_sample_value(name, labels) or 0.0


@contextlib.asynccontextmanager
async def serving_notify(
    service_env: dict[str, str], gateway: Gateway, **settings: object
) -> AsyncIterator[ServedNotify]:
    """Notify (consumer, sender, relay, webhook) served by uvicorn in this process on a free port; its Send
    API is nobody's unless ``facebook_graph_api_base`` is given."""
    port = free_port()
    values: dict[str, Any] = {
        "kafka_bootstrap_servers": service_env["KAFKA_BOOTSTRAP_SERVERS"],
        "database_url": service_env["DATABASE_URL"],
        "topic_prefix": service_env["TOPIC_PREFIX"],
        "http_port": port,
        "sms_api_base": gateway.url,
        "facebook_graph_api_base": "http://127.0.0.1:9/v21.0",
        **{key.lower(): value for key, value in FAST_RETRIES.items()},
        **settings,
    }
    app = bootstrap(NotifySettings(**values))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    task = asyncio.create_task(server.serve())
    try:
        assert await eventually(lambda: server.started or task.done(), within=60)
        if task.done():
            task.result()
        yield ServedNotify(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        await task


async def vault(pool: asyncpg.Pool) -> PersonalDataVault:
    """Intake's vault, created as intake creates it (notify only reads it)."""
    async with pool.acquire() as connection:
        await migrate(connection, [INTAKE_MIGRATIONS])
    return PersonalDataVault(pool)


async def new_citizen(pool: asyncpg.Pool, phone: str | None, language: Language = "en") -> uuid.UUID:
    citizen_id = uuid.uuid4()
    contact = CitizenContact(citizen_id=citizen_id, phone=phone, language=language)
    await (await vault(pool)).put(contact)
    return citizen_id


def new_phone() -> str:
    return f"+8551{uuid.uuid4().int % 10**7:07d}"


async def file_case(
    store: PostgresEventStore, citizen_id: uuid.UUID | None, language: Language = "en", **options: Any
) -> tuple[uuid.UUID, Appended]:
    case_id = uuid.uuid4()
    stored = await store.append(case_id, 0, [new_event(filing(citizen_id, language=language, **options))])
    return case_id, stored


async def add_events(store: PostgresEventStore, case_id: uuid.UUID, *data: EventData) -> Appended:
    version = len(await store.read_stream(case_id))
    return await store.append(case_id, version, [new_event(item) for item in data])


async def file_many(pool: asyncpg.Pool, count: int, language: Language = "en") -> dict[str, uuid.UUID]:
    """``count`` citizens with phones and one filed case each, in a few statements; phone -> case id."""
    store = PostgresEventStore(pool)
    by_phone = {new_phone(): uuid.uuid4() for _ in range(count)}
    contacts = {phone: uuid.uuid4() for phone in by_phone}
    async with pool.acquire() as connection:
        await (await vault(pool)).put_many(
            [CitizenContact(citizen_id=c, phone=p, language=language) for p, c in contacts.items()],
            connection=connection,
        )
    appends = [
        Append(case_id, 0, [new_event(filing(contacts[phone], language=language))])
        for phone, case_id in by_phone.items()
    ]
    for start in range(0, len(appends), 500):
        await store.append_many(appends[start : start + 500])
    return by_phone


async def outcome_events(pool: asyncpg.Pool, event_type: str) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT case_id, causation_id, data, idempotency_key FROM events WHERE type = $1 ORDER BY position",
        event_type,
    )


async def statuses(pool: asyncpg.Pool) -> dict[str, int]:
    rows = await pool.fetch("SELECT status, count(*) AS n FROM notifications GROUP BY status")
    return {row["status"]: row["n"] for row in rows}


async def scrape(url: str, name: str, **labels: str) -> float:
    """A sample of a service's ``/metrics`` (0 when absent)."""
    async with httpx.AsyncClient(timeout=10) as client:
        text = (await client.get(f"{url}/metrics")).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


class MessengerGateway(Gateway):
    """A client of the dev Messenger gateway's own API; ``graph`` is the Graph API base it serves."""

    @property
    def graph(self) -> str:
        return f"{self.url}/v21.0"

    async def sent(self, psid: str | None = None) -> list[dict[str, Any]]:
        async with httpx.AsyncClient(timeout=30) as client:
            answer: list[dict[str, Any]] = (
                await client.get(f"{self.url}/messages", params={"psid": psid} if psid else {})
            ).json()
        return answer


@contextlib.contextmanager
def running_messenger_gateway(
    log_path: Path, intake_url: str = "http://127.0.0.1:9"
) -> Iterator[MessengerGateway]:
    process = ServiceProcess("devmessenger", {"INTAKE_URL": intake_url}, log_path)
    process.start()
    try:
        yield MessengerGateway(process.url)
    finally:
        process.stop()


def new_psid() -> str:
    return str(6_000_000_000_000_000 + uuid.uuid4().int % 10**15)


async def new_messenger_citizen(
    pool: asyncpg.Pool, wrote: datetime | None, phone: str | None = None, language: Language = "en"
) -> tuple[uuid.UUID, str]:
    """A citizen known by a PSID (and maybe a phone) who last wrote on Messenger at ``wrote``."""
    citizen_id, psid = uuid.uuid4(), new_psid()
    contact = CitizenContact(citizen_id=citizen_id, phone=phone, facebook_psid=psid, language=language)
    the_vault = await vault(pool)
    await the_vault.put(contact)
    if wrote is not None:
        await the_vault.messenger_wrote([(psid, wrote)])
    return citizen_id, psid
