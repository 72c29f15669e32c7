"""The Messenger settings intake and notify share (docs/contract.md §Settings): where the Send API is and
the page it speaks for. Mixed into each service's settings class."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings

from shared.service.dev_values import DevValue, published

# Signs the dev gateway's deliveries and checks them in intake; published: refused outside dev mode.
DEV_APP_SECRET = "dev-facebook-app-secret"
DEV_GRAPH_API_BASE = "http://127.0.0.1:8026/v21.0"  # the dev Messenger gateway (services/devmessenger)
DEV_PAGE_ACCESS_TOKEN = "dev-facebook-page-access-token"
DEV_PAGE_ID = "100000000000001"


class MessengerSettings(BaseSettings):
    facebook_graph_api_base: str = Field(default=DEV_GRAPH_API_BASE, min_length=1)
    facebook_page_access_token: str = Field(default=DEV_PAGE_ACCESS_TOKEN, min_length=1)
    facebook_page_id: str = Field(default=DEV_PAGE_ID, min_length=1)

    def messenger_dev_values(self) -> tuple[DevValue | None, ...]:
        """The checks of the published Messenger values; the service's ``dev_values`` lists what they find.
        The dev page token would make the Send API speak for whatever page trusts it."""
        return (
            published("FACEBOOK_PAGE_ACCESS_TOKEN", self.facebook_page_access_token, DEV_PAGE_ACCESS_TOKEN),
        )
