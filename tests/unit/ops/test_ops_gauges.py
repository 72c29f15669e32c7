"""The gauges ops alerts read that are set from a count: readiness, and the SLA deadlines by level."""

import math
from datetime import UTC, datetime

import pytest
from prometheus_client import CollectorRegistry

from services.sla.deadlines import LevelCount
from services.sla.metrics import SlaMetrics
from shared.service.readiness import ReadinessMetrics

pytestmark = pytest.mark.unit


def value(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    return registry.get_sample_value(name, labels)


def test_readiness_is_one_only_while_every_check_passes_and_each_check_is_reported() -> None:
    registry = CollectorRegistry()
    readiness = ReadinessMetrics(registry)
    readiness.record({"kafka": True, "postgres": True, "consumer:routing": True})
    assert value(registry, "service_ready") == 1
    readiness.record({"kafka": False, "postgres": True, "consumer:routing": True})
    assert value(registry, "service_ready") == 0
    assert value(registry, "service_ready_check", check="kafka") == 0
    assert value(registry, "service_ready_check", check="consumer:routing") == 1


def test_deadlines_are_counted_in_all_by_level_and_the_earliest_is_when_the_next_falls_due() -> None:
    registry = CollectorRegistry()
    metrics = SlaMetrics(registry)
    early, late = datetime(2026, 12, 1, 9, 0, tzinfo=UTC), datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    metrics.counted(
        [LevelCount(0, open=5, overdue=1, earliest=late), LevelCount(2, open=2, overdue=0, earliest=early)]
    )
    assert (value(registry, "sla_open_deadlines"), value(registry, "sla_overdue_deadlines")) == (7, 1)
    assert value(registry, "sla_open_deadlines_by_level", level="0") == 5
    assert value(registry, "sla_overdue_deadlines_by_level", level="0") == 1
    assert value(registry, "sla_open_deadlines_by_level", level="2") == 2
    assert value(registry, "sla_next_deadline_timestamp_seconds") == early.timestamp()


def test_a_level_that_empties_reads_zero_and_no_deadline_reads_nan() -> None:
    registry = CollectorRegistry()
    metrics = SlaMetrics(registry)
    metrics.counted([LevelCount(1, open=3, overdue=3, earliest=datetime(2026, 12, 1, tzinfo=UTC))])
    metrics.counted([])
    assert value(registry, "sla_open_deadlines_by_level", level="1") == 0
    assert value(registry, "sla_overdue_deadlines_by_level", level="1") == 0
    next_deadline = value(registry, "sla_next_deadline_timestamp_seconds")
    assert next_deadline is not None
    assert math.isnan(next_deadline)
