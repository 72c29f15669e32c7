"""Metrics every service exposes, made once per runtime (DESIGN.md B8)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_HANDLING_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class CommonMetrics:
    """Dead letters, consumer outcomes and handling time, labelled the way dashboards expect."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.dlq_messages = Counter(
            "dlq_messages", "Messages sent to a dead-letter topic", ["topic"], registry=registry
        )
        self.event_handling = Histogram(
            "event_handling_seconds",
            "Time to handle one consumed event (a batch's time shared among its events)",
            ["event_type"],
            buckets=_HANDLING_BUCKETS,
            registry=registry,
        )
        self.consumed = Counter(
            "consumer_events",
            "Consumed case events by outcome: handled, duplicate, ignored, dead_lettered",
            ["group", "outcome"],
            registry=registry,
        )
        self.batch_held = Gauge(
            "consumer_batch_held_seconds",
            "How long the consumer group has held its current batch (0 while it waits for records)",
            ["group"],
            registry=registry,
        )
        self.consumer_retries = Counter(
            "consumer_retries",
            "Batches retried because a server was unreachable",
            ["group"],
            registry=registry,
        )
