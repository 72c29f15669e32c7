"""``/readyz``'s answer as metrics, so that an alert can say a service is up but not ready.

``service_ready`` is 1 while every check passes; ``service_ready_check{check}`` says which one fails
(``kafka``, ``postgres``, ``consumer:<group>``). They are set from the checks run when ``/metrics`` is
scraped, so each scrape carries the readiness of that moment and no loop runs between scrapes.
"""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Gauge


class ReadinessMetrics:
    """Two gauges on ``registry``, set by :meth:`record` from a readiness answer."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._ready = Gauge(
            "service_ready", "1 while /readyz answers 200: Kafka and PostgreSQL answer, no consumer is stuck",
            registry=registry,
        )  # fmt: skip
        self._checks = Gauge(
            "service_ready_check", "1 while this readiness check passes, 0 while it fails", ["check"],
            registry=registry,
        )  # fmt: skip

    def record(self, checks: Mapping[str, bool]) -> None:
        self._ready.set(1 if all(checks.values()) else 0)
        for check, passed in checks.items():
            self._checks.labels(check=check).set(1 if passed else 0)
