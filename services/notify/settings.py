"""Notify's settings (docs/contract.md §Settings).

The shared ones plus the SMS provider (docs/contract.md §SMS out), the Messenger Send API (docs/contract.md
§Messenger out) and how sending behaves.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from services.notify.domain.sending import RetryPolicy
from shared.events.types import Language
from shared.messenger.settings import MessengerSettings
from shared.service.dev_values import DevValue, blank, found
from shared.service.settings import ServiceSettings

TEMPLATES = Path(__file__).parent / "templates"


class NotifySettings(ServiceSettings, MessengerSettings):
    http_port: int = Field(default=8004, ge=1, le=65535)
    # The provider (docs/contract.md §SMS out): Twilio's Messages API or anything speaking it, such as the
    # dev gateway.
    sms_api_base: str = Field(default="http://127.0.0.1:8025", min_length=1)
    sms_account_sid: str = Field(default="ACdev", min_length=1)
    sms_auth_token: str = ""  # when set: basic auth to the provider, and receipts must be signed with it
    sms_from: str = Field(default="COMPLAINTS", min_length=1)
    # Where the provider posts delivery receipts; by default this process's own /webhooks/sms-status.
    sms_status_callback_url: str | None = None
    units_file: Path = Path("deploy/units.yaml")
    sms_templates_dir: Path = TEMPLATES
    sms_unit_language: Language = "km"
    # Sending: how many requests at once, an optional rate limit (0: off), retries and their bounds.
    sms_send_concurrency: int = Field(default=16, ge=1, le=512)
    sms_rate_limit_per_second: float = Field(default=0.0, ge=0)
    sms_max_attempts: int = Field(default=8, ge=1, le=100)
    sms_retry_budget_seconds: float = Field(default=3600.0, gt=0)
    sms_retry_first_delay_seconds: float = Field(default=2.0, gt=0)
    sms_retry_max_delay_seconds: float = Field(default=300.0, gt=0)
    sms_request_timeout_seconds: float = Field(default=10.0, gt=0)
    # A claimed notice whose process died is claimed again after this long (docs/contract.md §SMS out).
    sms_send_lease_seconds: float = Field(default=60.0, gt=0)
    sms_poll_interval_seconds: float = Field(default=0.05, gt=0, le=10)
    # Spend bounds (docs/contract.md §SMS out), counted in PostgreSQL so every replica shares them: texts
    # to one number, and in all, per UTC day. Past either, a text is not sent.
    sms_per_number_per_day: int = Field(default=20, ge=0)
    sms_per_day: int = Field(default=10_000, ge=0)

    @model_validator(mode="after")
    def _lease_outlasts_a_request(self) -> NotifySettings:
        if self.sms_send_lease_seconds <= self.sms_request_timeout_seconds:
            raise ValueError(
                "SMS_SEND_LEASE_SECONDS must exceed SMS_REQUEST_TIMEOUT_SECONDS,"
                " or a slow send would be claimed again while it is still going on"
            )
        return self

    def dev_values(self) -> list[DevValue]:
        # Unset, delivery receipts are accepted unsigned: anyone could mark a text delivered.
        return [
            *super().dev_values(),
            *found(blank("SMS_AUTH_TOKEN", self.sms_auth_token), *self.messenger_dev_values()),
        ]

    @property
    def status_callback_url(self) -> str:
        if self.sms_status_callback_url:
            return self.sms_status_callback_url
        host = "127.0.0.1" if self.http_host in ("0.0.0.0", "::") else self.http_host
        return f"http://{host}:{self.http_port}/webhooks/sms-status"

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.sms_max_attempts,
            budget_seconds=self.sms_retry_budget_seconds,
            first_delay=self.sms_retry_first_delay_seconds,
            max_delay=self.sms_retry_max_delay_seconds,
        )
