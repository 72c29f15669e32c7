"""The SLA service's settings (DESIGN.md B1): the shared ones plus the policy file (B6)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from shared.settings import ServiceSettings


class SlaSettings(ServiceSettings):
    http_port: int = Field(default=8003, ge=1, le=65535)
    sla_policy_file: Path = Path("deploy/sla-policy.yaml")
