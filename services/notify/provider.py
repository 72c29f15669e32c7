"""The SMS provider port: one method, so that a Cambodian aggregator can stand in for Twilio."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from services.notify.domain.sending import SendResult


class SmsProvider(Protocol):
    """Sends one SMS. Never raises for the provider's answers or its absence: they are results."""

    async def start(self) -> None:
        """Open connections (called when the service starts)."""

    async def send(self, to: str, body: str) -> SendResult:
        """Hand ``body`` to the provider for ``to`` (E.164)."""

    async def find_accepted(self, to: str, body: str, since: datetime) -> str | None:
        """The id of a message with ``body`` to ``to`` the provider took at or after ``since``, if any;
        None also when the provider cannot tell now (the caller then sends, at least once)."""

    async def close(self) -> None:
        """Close connections (called when the service stops)."""
