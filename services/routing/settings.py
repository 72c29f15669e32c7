"""Routing's settings (docs/contract.md §Settings), plus its rules and the units file."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from shared.service.settings import ServiceSettings


class RoutingSettings(ServiceSettings):
    http_port: int = Field(default=8002, ge=1, le=65535)
    routing_rules_file: Path = Path("deploy/routing-rules.yaml")
    units_file: Path = Path("deploy/units.yaml")
