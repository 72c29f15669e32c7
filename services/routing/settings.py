"""Routing's settings (DESIGN.md B1)."""

from __future__ import annotations

from pydantic import Field

from shared.settings import ServiceSettings


class RoutingSettings(ServiceSettings):
    http_port: int = Field(default=8002, ge=1, le=65535)
