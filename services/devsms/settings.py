"""The dev gateway's settings: its port, and the account token it checks and signs receipts with."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_PORT = 8025


class DevSmsSettings(BaseSettings):
    """``DEVSMS_PORT`` (what the launcher sets) wins over ``HTTP_PORT`` (what test fixtures set)."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    http_host: str = "127.0.0.1"
    devsms_port: int | None = Field(default=None, ge=1, le=65535)
    http_port: int | None = Field(default=None, ge=1, le=65535)
    # When set, requests must authenticate as ``<account sid>:<token>`` and receipts are signed with it.
    sms_auth_token: str = ""
    forwarded_allow_ips: str = ""  # as the services' (docs/contract.md §Settings)
    # Where "text as a citizen" posts: intake's SMS webhook (docs/contract.md §Conversations).
    sms_inbound_url: str = "http://127.0.0.1:8001/webhooks/sms"

    @property
    def port(self) -> int:
        return self.devsms_port or self.http_port or DEFAULT_PORT
