"""Intake's settings (docs/contract.md §Settings).

The shared ones plus tokens, units, the Messenger webhook and the SMS webhook.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import Field

from shared.service.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    http_port: int = Field(default=8001, ge=1, le=65535)
    api_tokens_file: Path = Path("deploy/dev-tokens.yaml")
    units_file: Path = Path("deploy/units.yaml")
    facebook_app_secret: str = "dev-facebook-app-secret"
    facebook_verify_token: str = "dev-facebook-verify-token"
    # Submissions per Kafka batch (and transaction), consumers sharing the topic's partitions in the process
    # (one parses while another files), and the HTTP group commit's batch and workers. A batch is one append:
    # at most 2,000 events, so that the relay's copies of it stay within consumers' tracking window
    # (shared/messaging/tracking.py, RECENT_OFFSETS).
    intake_batch_size: int = Field(default=500, ge=1, le=2000)
    intake_consumers: int = Field(default=2, ge=1, le=16)
    intake_http_batch_size: int = Field(default=200, ge=1, le=2000)
    intake_http_workers: int = Field(default=4, ge=1, le=64)
    # The SMS webhook (docs/contract.md §Conversations): the provider's auth token its signatures are checked
    # with (empty: unsigned messages are taken in dev mode only, else every one is refused), the public URL
    # the provider posts to and signs (default: this process's own /webhooks/sms), how long a message is
    # taken as an update to the citizen's open case, and how many messages one sender may send an hour.
    sms_auth_token: str = ""
    sms_inbound_url: str | None = None
    conversation_window_days: float = Field(default=7, gt=0, le=365)
    messages_per_sender_per_hour: int = Field(default=30, ge=0, le=100_000)

    @property
    def inbound_url(self) -> str:
        if self.sms_inbound_url:
            return self.sms_inbound_url
        host = "127.0.0.1" if self.http_host in ("0.0.0.0", "::") else self.http_host
        return f"http://{host}:{self.http_port}/webhooks/sms"

    @property
    def conversation_window(self) -> timedelta:
        return timedelta(days=self.conversation_window_days)
