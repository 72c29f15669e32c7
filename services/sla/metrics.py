"""The SLA service's metrics (docs/contract.md §Metrics names, and a few for operating the timer)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from services.sla.firing import Fired

_LATENESS_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
_PASS_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class SlaMetrics:
    """Made once per process, on its registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
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
