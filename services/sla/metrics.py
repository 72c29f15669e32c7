"""The SLA service's metrics (docs/contract.md §Metrics names, and a few for operating the timer)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from services.sla.deadlines import LevelCount
from services.sla.firing import Fired

_LATENESS_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
_PASS_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class SlaMetrics:
    """Made once per process, on its registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._levels: set[str] = set()  # levels given a gauge so far: one that empties must read 0
        self.breaches = Counter(
            "sla_breaches", "SLA breaches recorded, by clock and level", ["clock", "level"], registry=registry
        )
        self.escalations = Counter(
            "cases_escalated",
            "Cases escalated, by the level they rose to and why",
            ["level", "reason"],
            registry=registry,
        )
        self.open_deadlines = Gauge(
            "sla_open_deadlines", "Cases with a running SLA clock (rows of sla_deadlines)", registry=registry
        )
        self.overdue_deadlines = Gauge(
            "sla_overdue_deadlines", "Deadlines due and not fired yet", registry=registry
        )
        self.open_by_level = Gauge(
            "sla_open_deadlines_by_level", "Cases with a running SLA clock, by the ladder level of the clock",
            ["level"], registry=registry,
        )  # fmt: skip
        self.overdue_by_level = Gauge(
            "sla_overdue_deadlines_by_level", "Deadlines due and not fired yet, by ladder level", ["level"],
            registry=registry,
        )  # fmt: skip
        # Read by the overdue alert through last_over_time(): a deadline that falls due while no replica of
        # the service runs (so nothing counts it as overdue) is seen from the last value scraped.
        self.next_deadline = Gauge(
            "sla_next_deadline_timestamp_seconds",
            "When the earliest open deadline falls due (Unix time; NaN while none is open)",
            registry=registry,
        )
        self.lateness = Histogram(
            "sla_firing_lateness_seconds",
            "Seconds from a deadline falling due to its breach (or a refusal's escalation) being stored",
            buckets=_LATENESS_BUCKETS,
            registry=registry,
        )
        self.passes = Histogram(
            "sla_timer_pass_seconds",
            "Duration of one timer pass (claim due deadlines, decide, append, commit)",
            ["outcome"],
            buckets=_PASS_BUCKETS,
            registry=registry,
        )
        self.conflicts = Counter(
            "sla_timer_conflicts",
            "Cases read again because their stream moved while the timer decided",
            registry=registry,
        )
        self.failures = Counter(
            "sla_timer_failures",
            "Cases the timer could not handle (logged with their id) and looks at again later",
            registry=registry,
        )

    def counted(self, levels: Sequence[LevelCount]) -> None:
        """Set the deadline gauges from a count of the table; a level that emptied reads 0."""
        self.open_deadlines.set(sum(level.open for level in levels))
        self.overdue_deadlines.set(sum(level.overdue for level in levels))
        seen = {str(level.level): level for level in levels}
        for name in seen.keys() | self._levels:
            self.open_by_level.labels(level=name).set(seen[name].open if name in seen else 0)
            self.overdue_by_level.labels(level=name).set(seen[name].overdue if name in seen else 0)
        self._levels |= seen.keys()
        earliest = min((level.earliest for level in levels), default=None)
        self.next_deadline.set(math.nan if earliest is None else earliest.timestamp())

    def record(self, fired: Fired) -> None:
        """Count what a committed pass stored."""
        for breach in fired.breaches:
            self.breaches.labels(clock=breach.clock, level=str(breach.level)).inc()
        for escalation in fired.escalations:
            self.escalations.labels(level=str(escalation.to_level), reason=escalation.reason).inc()
        for seconds in fired.lateness:
            self.lateness.observe(max(seconds, 0.0))
        if fired.conflicts:
            self.conflicts.inc(fired.conflicts)
