"""What one service process owns (connection pool, Kafka broker and producer, metrics) and its lifecycle.

A service's bootstrap builds a :class:`Runtime` and hands it the components that run inside the process
(consumers, the outbox relay, timer loops) and the migrations of its own tables. Nothing connects until
:meth:`Runtime.running` is entered, which the ASGI lifespan does: no connection is opened at import time.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Protocol

import asyncpg
from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import CollectorRegistry, GCCollector, PlatformCollector, ProcessCollector

from shared.eventstore.migrations import EVENT_STORE, MigrationSet, migrate
from shared.eventstore.store import PostgresEventStore
from shared.messaging.batch_watch import BatchWatch
from shared.messaging.lag import ConsumerLag
from shared.messaging.partitioner import partition_for
from shared.service.database import create_pool
from shared.service.metrics import CommonMetrics
from shared.service.settings import ServiceSettings

log = logging.getLogger(__name__)
# The cycle collector's thresholds once a service serves: a batch of 500 events makes tens of thousands of
# short-lived objects, nearly all freed by reference counting, and at Python's default (700 allocations) the
# collector ran dozens of times a batch. Measured on intake's Kafka path: 2,774-3,010 filings/s at the
# default, 3,035-3,595/s with these, in alternating runs.
GC_THRESHOLDS = (50_000, 20, 100)


class Component(Protocol):
    """Something that runs inside a service process for as long as the process serves."""

    def setup(self, runtime: Runtime) -> None:
        """Declare subscribers and metrics; called before anything connects."""

    async def start(self) -> None:
        """Start background work; the pool, broker and producer are connected by now."""

    async def stop(self) -> None:
        """Stop background work; the pool, broker and producer are still connected."""


class Runtime:
    """The connection pool, Kafka broker and producer, event store and metrics of one service process."""

    def __init__(
        self,
        name: str,
        settings: ServiceSettings,
        components: Sequence[Component] = (),
        migrations: Sequence[MigrationSet] = (),
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self.topics = settings.topics
        # A service passes its own registry when its components' metrics are made before the runtime.
        self.registry = registry or CollectorRegistry()
        for collector in (ProcessCollector, PlatformCollector, GCCollector):
            collector(registry=self.registry)
        self.metrics = CommonMetrics(self.registry)
        self.broker = KafkaBroker(
            settings.kafka_bootstrap_servers,
            client_id=f"{settings.topic_prefix}{name}",
            # FastStream would create a subscribed topic that does not exist yet with one partition, and a
            # consumer group cannot share one partition among replicas: leave the creation to the cluster
            # (its num.partitions, 4 in the local stack and compose) or to its operators.
            allow_auto_create_topics=False,
            middlewares=[KafkaPrometheusMiddleware(registry=self.registry, app_name=name)],
            logger=logging.getLogger(f"{name}.broker"),
        )
        self.migrations = [EVENT_STORE, *migrations]
        self.components = list(components)
        self._watches: list[BatchWatch] = []
        self._pool: asyncpg.Pool | None = None
        self._producer: AIOKafkaProducer | None = None
        for component in self.components:
            component.setup(self)
        # Every process reports the lag of the groups it consumes in (docs/contract.md §Metrics).
        self.consumer_lag = ConsumerLag(self.broker, settings, self.registry)

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError(f"{self.name}: the database pool is opened by Runtime.running()")
        return self._pool

    @property
    def producer(self) -> AIOKafkaProducer:
        """An idempotent producer (acks=all) for the relay and dead letters; FastStream's broker consumes."""
        if self._producer is None:
            raise RuntimeError(f"{self.name}: the producer is started by Runtime.running()")
        return self._producer

    @property
    def event_store(self) -> PostgresEventStore:
        return PostgresEventStore(self.pool)

    def watch(self, group: str) -> BatchWatch:
        """A watch on consumer group ``group``'s batches, for readiness and the held-batch gauge."""
        watch = BatchWatch(group)
        self._watches.append(watch)
        self.metrics.batch_held.labels(group=group).set_function(watch.held_for)
        return watch

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Runtime]:
        """Open the pool, migrate, connect Kafka, start the components; undo it all in reverse on exit."""
        self._pool = await create_pool(
            self.settings.database_url,
            min_size=1,
            max_size=self.settings.database_pool_size,
            command_timeout=60,
        )
        try:
            async with self._pool.acquire() as connection:
                applied = await migrate(connection, self.migrations)
            if applied:
                log.info("%s applied migrations %s", self.name, ", ".join(applied))
            self._producer = AIOKafkaProducer(
                bootstrap_servers=self.settings.kafka_bootstrap_servers,
                client_id=f"{self.settings.topic_prefix}{self.name}-producer",
                enable_idempotence=True,
                acks="all",
                linger_ms=2,
                max_batch_size=256 * 1024,
                partitioner=partition_for,
            )
            await self._producer.start()
            try:
                await self.broker.start()
                started: list[Component] = []
                try:
                    for component in self.components:
                        await component.start()
                        started.append(component)
                    await self.consumer_lag.start()
                    # What is alive now (modules, the gazetteer, unit registry, policies) lives as long as the
                    # process: keep the cycle collector from walking it again on every collection.
                    gc.freeze()
                    gc.set_threshold(*GC_THRESHOLDS)
                    log.info("%s started", self.name)
                    yield self
                finally:
                    await self.consumer_lag.stop()
                    for component in reversed(started):
                        await component.stop()
                    await self.broker.stop()
            finally:
                await self._producer.stop()
                self._producer = None
        finally:
            await self._pool.close()
            self._pool = None

    async def readiness(self, within: float = 2.0) -> dict[str, bool]:
        """Whether Kafka and PostgreSQL answer right now, and (``consumer:<group>``) whether each consumer
        group has held its current batch for less than ``consumer_stuck_after_seconds``."""

        async def database() -> bool:
            if self._pool is None:
                return False
            try:
                async with asyncio.timeout(within):
                    return bool(await self._pool.fetchval("SELECT 1") == 1)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                return False

        kafka, postgres = await asyncio.gather(self.broker.ping(timeout=within), database())
        stuck_after = self.settings.consumer_stuck_after_seconds
        consumers = {f"consumer:{w.group}": w.held_for() < stuck_after for w in self._watches}
        return {"kafka": kafka, "postgres": postgres, **consumers}
