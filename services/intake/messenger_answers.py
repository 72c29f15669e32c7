"""Answers to citizens on Messenger, sent by intake through the Send API once what they answer is durable
(docs/contract.md §Messenger in). One try each: the citizen wrote a moment ago and sees nothing wrong in
writing again, and what matters (the receipt, the updates) goes through notify, which retries."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from services.intake.domain.conversation import Answer
from shared.messenger.send_api import SendApiClient

log = logging.getLogger(__name__)


class MessengerAnswers:
    """A service component: the Send API client is opened when intake starts and closed when it stops."""

    def __init__(self, client: SendApiClient) -> None:
        self._client = client

    async def start(self) -> None:
        await self._client.start()

    async def stop(self) -> None:
        await self._client.close()

    async def send_all(self, answers: Sequence[tuple[str, Answer]]) -> None:
        """Send each ``(psid, answer)`` in order, as a response to the citizen's message; an empty answer
        (an opted-out sender's, a flood's) and a complaint's receipt are not sent: the receipt is notify's
        ``filed`` message, sent once for every filing, as on SMS."""
        for psid, answer in answers:
            if not answer.text or answer.kind == "complaint":
                continue
            sent = await self._client.send_text(psid, answer.text, "RESPONSE")
            if sent.outcome != "sent":
                log.warning("a Messenger answer (%s) was not sent: %s", answer.kind, sent.reason)
