"""Helpers for intake's integration tests: intake running in the test's process on the real Kafka and
PostgreSQL, with an HTTP client on its app, and shortcuts to file, assign and wait for the projection."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import httpx
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from services.intake.bootstrap import bootstrap
from services.intake.service import Intake
from services.intake.settings import IntakeSettings
from shared.events import EventData
from shared.events.types import CaseAssigned
from shared.eventstore import PostgresEventStore
from shared.service.infrastructure import Infrastructure
from shared.service.lifecycle import Lifecycle
from shared.service.topics import Topics
from shared.testing.events import new_event
from shared.testing.kafka import eventually
from shared.testing.servers import UNBOUNDED_COMPLAINTS


@dataclass
class Running:
    app: FastAPI
    infra: Infrastructure
    intake: Intake
    client: httpx.AsyncClient

    @property
    def pool(self) -> asyncpg.Pool:
        return self.infra.database.pool

    @property
    def store(self) -> PostgresEventStore:
        return self.infra.database.event_store

    @property
    def topics(self) -> Topics:
        return self.infra.topics

    @property
    def registry(self) -> CollectorRegistry:
        return self.infra.registry

    def metric(self, name: str, **labels: str) -> float:
        return self.registry.get_sample_value(name, labels) or 0.0


def settings_for(env: dict[str, str], **overrides: Any) -> IntakeSettings:
    """Intake on the test's servers; the complaint budgets are lifted (every test files from one address,
    most naming one phone) unless ``overrides`` set them."""
    values = {key.lower(): int(value) for key, value in UNBOUNDED_COMPLAINTS.items()}
    return IntakeSettings(
        kafka_bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"], database_url=env["DATABASE_URL"],
        topic_prefix=env["TOPIC_PREFIX"], **(values | overrides),
    )  # fmt: skip


@asynccontextmanager
async def running_intake(env: dict[str, str], **overrides: Any) -> AsyncIterator[Running]:
    """Intake's app with its lifespan entered (pool, Kafka, consumers, relay) and a client on it;
    ``overrides``: settings other than the servers'."""
    app = bootstrap(settings_for(env, **overrides))
    lifecycle: Lifecycle = app.state.lifecycle
    (component,) = [c for c in lifecycle.components if isinstance(c, Intake)]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
            yield Running(app, lifecycle.infrastructure, component, client)


async def file(running: Running, body: bytes, key: str | None = None) -> httpx.Response:
    """``POST /v1/complaints``."""
    headers = {"Idempotency-Key": key} if key else {}
    return await running.client.post("/v1/complaints", content=body, headers=headers)


async def append(running: Running, case_id: UUID, data: EventData) -> None:
    """Append ``data`` to the case, as routing or the SLA service would."""
    store = running.store
    await store.append(case_id, len(await store.read_stream(case_id)), [new_event(data)])


async def assign(running: Running, case_id: UUID, unit_id: str, level: int = 0) -> None:
    unit = running.intake.units.get(unit_id)
    assert unit is not None
    await append(running, case_id, CaseAssigned(unit=unit.ref(), level=level, rule="test", reason="test"))


async def projected(running: Running, reference: str, status: str) -> dict[str, Any]:
    """The public status once the projection shows ``status``."""

    async def shown() -> dict[str, Any] | None:
        answer = await running.client.get(f"/v1/cases/{reference}")
        return answer.json() if answer.status_code == 200 and answer.json()["status"] == status else None

    found = await eventually(shown, within=30)
    assert found, f"case {reference} never showed as {status}"
    result: dict[str, Any] = found
    return result


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
