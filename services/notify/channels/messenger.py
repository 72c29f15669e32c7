"""Messenger as a notify channel: the shared Send API client, its answers read as the sender's results
(docs/contract.md §Messenger out). Rate limits, Meta's own failures and no answer are worth another try;
551 (the person is unavailable), the closed window and an invalid page token are final at once."""

from __future__ import annotations

from services.notify.domain.channel import ByMessenger
from services.notify.domain.sending import Accepted, Refused, SendResult, Unavailable
from shared.messenger.send_api import SendApiClient


class MessengerChannel:
    """Started and stopped with the sender."""

    def __init__(self, client: SendApiClient) -> None:
        self._client = client

    async def start(self) -> None:
        await self._client.start()

    async def close(self) -> None:
        await self._client.close()

    async def send(self, route: ByMessenger, body: str) -> SendResult:
        answer = await self._client.send_text(route.psid, body, route.messaging_type)
        if answer.outcome == "sent":
            return Accepted(answer.message_id or "unknown")
        if answer.retryable:
            return Unavailable(answer.reason)
        return Refused(
            answer.http_status or 0, answer.code, described=answer.reason,
            window_closed=answer.outcome == "outside_window",
        )  # fmt: skip
