"""Settings every service shares (docs/contract.md §Settings), read from the environment only.

Each service composes one ``BaseSettings`` class from :class:`ServiceSettings`; nothing is read at
import time: a service's ``create_app()`` builds its settings when the process starts.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.privacy.keyed import KeyedDigest
from shared.service.dev_values import DevValue, found, published
from shared.service.topics import Topics

DEV_PERSONAL_DATA_KEY = "dev-personal-data-key-not-secret"


class ServiceSettings(BaseSettings):
    """Kafka, PostgreSQL and HTTP settings common to the four services."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    kafka_bootstrap_servers: str = Field(default="127.0.0.1:9092", min_length=1)
    database_url: str = Field(default="postgresql://postgres@127.0.0.1:5432/complaints", min_length=1)
    topic_prefix: str = ""
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)
    database_pool_size: int = Field(default=8, ge=1, le=100)
    # A consumer holding one batch longer than this (an outage, a hung commit) makes /readyz answer 503.
    consumer_stuck_after_seconds: float = Field(default=30.0, gt=0)
    # Dev mode (make run and make up set it): dev secrets and tokens are refused without it.
    complaints_dev: bool = False
    # The key of every keyed digest of a phone number or Messenger id (shared/privacy/keyed.py).
    personal_data_key: str = Field(default=DEV_PERSONAL_DATA_KEY, min_length=16)
    # Bytes of a request body any route reads; past it the answer is 413 (shared/service/http.py).
    http_max_body_bytes: int = Field(default=64 * 1024, ge=1024, le=16 * 1024 * 1024)
    # The proxies (comma-separated addresses, or *) whose X-Forwarded-For names the client; by default
    # none: the client is the socket's peer address.
    forwarded_allow_ips: str = ""

    def dev_values(self) -> list[DevValue]:
        """The settings holding a published development value; a service class adds its own to these."""
        return found(published("PERSONAL_DATA_KEY", self.personal_data_key, DEV_PERSONAL_DATA_KEY))

    @property
    def digest(self) -> KeyedDigest:
        """Keyed digests of personal identifiers under ``PERSONAL_DATA_KEY``."""
        return KeyedDigest.of(self.personal_data_key)

    @property
    def port(self) -> int:
        """The port to serve HTTP on (``HTTP_PORT``)."""
        return self.http_port

    @property
    def topics(self) -> Topics:
        return Topics(self.topic_prefix)
