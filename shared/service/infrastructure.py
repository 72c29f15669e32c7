"""What one service process is built on, made before its components and handed to them when they are built.

A service's bootstrap builds the :class:`Infrastructure` first (nothing connects yet), then its components
with what each needs of it, then a :class:`~shared.service.lifecycle.Lifecycle` that connects and starts
them. No component asks for anything after it is built.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import CollectorRegistry, GCCollector, PlatformCollector, ProcessCollector

from shared.service.batch_watch import BatchWatch
from shared.service.database import Database
from shared.service.logs import keep_data_out_of_logs
from shared.service.metrics import CommonMetrics
from shared.service.producer import Producer
from shared.service.settings import ServiceSettings
from shared.service.topics import Topics


@dataclass(frozen=True, eq=False)
class Infrastructure:
    """The settings, metrics, Kafka broker and producer, database and consumer watches of one process."""

    name: str
    settings: ServiceSettings
    registry: CollectorRegistry
    metrics: CommonMetrics
    broker: KafkaBroker
    producer: Producer
    database: Database
    watches: list[BatchWatch] = field(default_factory=list)

    @classmethod
    def build(cls, name: str, settings: ServiceSettings) -> Infrastructure:
        """Everything the service ``name`` runs on, configured from ``settings``; nothing connects yet."""
        keep_data_out_of_logs()
        registry = CollectorRegistry()
        for collector in (ProcessCollector, PlatformCollector, GCCollector):
            collector(registry=registry)
        broker = KafkaBroker(
            settings.kafka_bootstrap_servers,
            client_id=f"{settings.topic_prefix}{name}",
            # FastStream would create a subscribed topic that does not exist yet with one partition, and a
            # consumer group cannot share one partition among replicas: leave the creation to the cluster
            # (its num.partitions, 4 in the local stack and compose) or to its operators.
            allow_auto_create_topics=False,
            middlewares=[KafkaPrometheusMiddleware(registry=registry, app_name=name)],
            logger=logging.getLogger(f"{name}.broker"),
        )
        return cls(
            name=name,
            settings=settings,
            registry=registry,
            metrics=CommonMetrics(registry),
            broker=broker,
            producer=Producer(settings.kafka_bootstrap_servers, f"{settings.topic_prefix}{name}-producer"),
            database=Database(settings.database_url, pool_size=settings.database_pool_size),
        )

    @property
    def topics(self) -> Topics:
        return self.settings.topics

    def watch(self, group: str) -> BatchWatch:
        """A watch on consumer group ``group``'s batches, for readiness and the held-batch gauge."""
        watch = BatchWatch(group)
        self.watches.append(watch)
        self.metrics.batch_held.labels(group=group).set_function(watch.held_for)
        return watch
