"""Notify's settings (DESIGN.md B1): the shared ones plus the SMS provider (B7)."""

from __future__ import annotations

from pydantic import Field

from shared.settings import ServiceSettings


class NotifySettings(ServiceSettings):
    http_port: int = Field(default=8004, ge=1, le=65535)
    sms_api_base: str = "http://127.0.0.1:8025"
    sms_account_sid: str = "ACdev"
    sms_auth_token: str = ""
    sms_from: str = "COMPLAINTS"
    sms_status_callback_url: str = "http://127.0.0.1:8004/webhooks/sms-status"
