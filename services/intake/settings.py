"""Intake's settings (DESIGN.md B1): the shared ones plus tokens and the Messenger webhook."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    http_port: int = Field(default=8001, ge=1, le=65535)
    api_tokens_file: Path = Path("deploy/dev-tokens.yaml")
    facebook_app_secret: str = "dev-facebook-app-secret"
    facebook_verify_token: str = "dev-facebook-verify-token"
