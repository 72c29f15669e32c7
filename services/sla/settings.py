"""The SLA service's settings (docs/contract.md §Settings).

The shared ones plus the policy (docs/contract.md §SLA policy), units and the timer.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from shared.service.settings import ServiceSettings


class SlaSettings(ServiceSettings):
    """Read from the environment: ``SLA_POLICY_FILE``, ``UNITS_FILE``, ``SLA_TIMER_*`` and the shared ones."""

    http_port: int = Field(default=8003, ge=1, le=65535)
    sla_policy_file: Path = Path("deploy/sla-policy.yaml")
    # The same units file routing reads: escalations name the unit a case rises to.
    units_file: Path = Path("deploy/units.yaml")
    # Seconds between two looks for due deadlines when the last look found fewer than a batch.
    sla_timer_interval: float = Field(default=0.1, gt=0, le=60)
    # Due deadlines claimed per transaction; a full batch is followed at once by the next.
    sla_timer_batch: int = Field(default=500, ge=1, le=10_000)
    # Timer loops per process; they share the work through FOR UPDATE SKIP LOCKED like replicas do.
    sla_timer_workers: int = Field(default=2, ge=1, le=16)
    # Seconds between two counts of open and overdue deadlines for the gauges.
    sla_metrics_interval: float = Field(default=10.0, gt=0)
