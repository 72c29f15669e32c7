"""Intake's settings (docs/contract.md §Settings).

The shared ones plus tokens, units, the Messenger webhook and the Send API its answers go through.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from shared.messenger.settings import MessengerSettings
from shared.service.settings import ServiceSettings


class IntakeSettings(ServiceSettings, MessengerSettings):
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
