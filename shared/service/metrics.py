"""Metrics every service exposes, made once per process (docs/contract.md §Metrics)."""

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
            "Seconds from the start of a consumed batch's transaction (its connection asked for) to its "
            "commit, observed once per event type among the batch's new events: how long an event of that "
            "type waited for its batch to be tracked, handled and committed. Counts batches, not events",
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
        # One counter for every writer that decides on a stream and appends (shared.eventstore.decide), so
        # that contention on case streams reads the same in every service.
        self.event_store_conflicts = Counter(
            "event_store_conflicts",
            "Appends decided again because their case stream moved (a version conflict, or the same keys "
            "stored by another writer), by writer",
            ["writer"],
            registry=registry,
        )
