"""Intake's settings (docs/contract.md §Settings).

The shared ones plus tokens, units, the Messenger webhook and the Send API its answers go through, and the
SMS webhook.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import Field

from shared.messenger.settings import DEV_APP_SECRET, MessengerSettings
from shared.service.dev_values import DevValue, blank, dev_file, found, published
from shared.service.settings import ServiceSettings

DEV_TOKENS_FILE = Path("deploy/dev-tokens.yaml")
_REPOSITORY_DEV_TOKENS = Path(__file__).resolve().parents[2] / DEV_TOKENS_FILE
DEV_FACEBOOK_VERIFY_TOKEN = "dev-facebook-verify-token"


class IntakeSettings(ServiceSettings, MessengerSettings):
    http_port: int = Field(default=8001, ge=1, le=65535)
    api_tokens_file: Path = DEV_TOKENS_FILE
    units_file: Path = Path("deploy/units.yaml")
    facebook_app_secret: str = DEV_APP_SECRET
    facebook_verify_token: str = DEV_FACEBOOK_VERIFY_TOKEN
    # New complaints over HTTP and Open311 (docs/contract.md §Privacy budgets): per phone named, per client
    # address; 0 refuses every one.
    complaints_per_phone_per_hour: int = Field(default=5, ge=0)
    complaints_per_ip_per_hour: int = Field(default=20, ge=0)
    # Console sign-ins tried from one client address (docs/console.md §Security rules); 0 refuses every one.
    console_sign_ins_per_ip_per_hour: int = Field(default=60, ge=0)
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

    def dev_values(self) -> list[DevValue]:
        return [
            *super().dev_values(),
            *found(
                dev_file("API_TOKENS_FILE", self.api_tokens_file, _REPOSITORY_DEV_TOKENS),
                published("FACEBOOK_APP_SECRET", self.facebook_app_secret, DEV_APP_SECRET),
                # Empty, the secret lets anyone sign a delivery as Meta, and the token anyone subscribe.
                blank("FACEBOOK_APP_SECRET", self.facebook_app_secret),
                published("FACEBOOK_VERIFY_TOKEN", self.facebook_verify_token, DEV_FACEBOOK_VERIFY_TOKEN),
                blank("FACEBOOK_VERIFY_TOKEN", self.facebook_verify_token),
                # Unset, the SMS webhook takes unsigned texts: anyone could speak as any phone.
                blank("SMS_AUTH_TOKEN", self.sms_auth_token),
                *self.messenger_dev_values(),
            ),
        ]
