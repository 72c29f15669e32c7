"""The dev Messenger gateway's settings: its port, the page it plays, where it posts citizens' messages."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.messenger.settings import DEV_APP_SECRET, DEV_PAGE_ACCESS_TOKEN, DEV_PAGE_ID

DEFAULT_PORT = 8026


class DevMessengerSettings(BaseSettings):
    """``DEVMESSENGER_PORT`` (what the launcher sets) wins over ``HTTP_PORT`` (what test fixtures set)."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    http_host: str = "127.0.0.1"
    devmessenger_port: int | None = Field(default=None, ge=1, le=65535)
    http_port: int | None = Field(default=None, ge=1, le=65535)
    # The same values intake and notify read: deliveries are signed with the app secret, sends must carry
    # the page access token.
    facebook_app_secret: str = DEV_APP_SECRET
    facebook_page_access_token: str = DEV_PAGE_ACCESS_TOKEN
    facebook_page_id: str = DEV_PAGE_ID
    # Where "write as a citizen" posts: intake's webhook.
    intake_url: str = "http://127.0.0.1:8001"
    forwarded_allow_ips: str = ""  # as the services' (docs/contract.md §Settings)

    @property
    def port(self) -> int:
        return self.devmessenger_port or self.http_port or DEFAULT_PORT

    @property
    def webhook_url(self) -> str:
        return f"{self.intake_url.rstrip('/')}/webhooks/facebook"
