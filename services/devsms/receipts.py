"""Delivery receipts the dev gateway posts to each message's ``StatusCallback``, as Twilio does.

Form fields ``MessageSid``, ``SmsSid``, ``AccountSid``, ``From``, ``To``, ``MessageStatus``,
``SmsStatus``, ``ApiVersion`` and, for a failure, ``ErrorCode``; signed with ``X-Twilio-Signature`` when
the gateway has an auth token. A message's receipts go in order (``sent``, then ``delivered`` or
``undelivered``); a receiver that cannot be reached or answers 5xx gets a few more tries, then the receipt
is dropped (Twilio does not retry either).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from services.devsms.inbox import ReceivedMessage
from shared.service.tasks import BackgroundTasks
from shared.sms.signature import twilio_signature

log = logging.getLogger(__name__)
UNDELIVERED = 30003  # Twilio: "Unreachable destination handset"
_TRIES = (0.0, 0.2, 1.0)  # waits before each try


@dataclass(frozen=True, slots=True)
class _Due:
    message: ReceivedMessage
    statuses: tuple[str, ...]


class ReceiptPoster:
    """Posts receipts from ``workers`` tasks; ``counts`` says how many went out and how many failed."""

    def __init__(self, auth_token: str, workers: int = 8) -> None:
        self.auth_token = auth_token
        self.workers = workers
        self.counts: Counter[str] = Counter()
        self._queue: asyncio.Queue[_Due] = asyncio.Queue()
        self._tasks = BackgroundTasks()
        self._timers: set[asyncio.TimerHandle] = set()
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=5.0)
        for i in range(self.workers):
            self._tasks.start(f"receipts-{i}", self._work())

    async def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        await self._tasks.stop()
        if self._client is not None:
            await self._client.aclose()

    def schedule(self, message: ReceivedMessage, statuses: tuple[str, ...], delay: float) -> None:
        """Post ``statuses`` for ``message`` after ``delay`` seconds (nothing without a callback URL)."""
        if not statuses:
            return
        due = _Due(message, statuses)
        loop = asyncio.get_running_loop()
        timer: asyncio.TimerHandle

        def enqueue() -> None:
            self._timers.discard(timer)
            self._queue.put_nowait(due)

        timer = loop.call_later(delay, enqueue)
        self._timers.add(timer)

    async def _work(self) -> None:
        while True:
            due = await self._queue.get()
            for status in due.statuses:
                message = due.message
                message.status = status
                message.error_code = UNDELIVERED if status in ("undelivered", "failed") else None
                message.date_updated = datetime.now(UTC)
                if message.status_callback:
                    await self._post(message)

    async def _post(self, message: ReceivedMessage) -> None:
        assert self._client is not None
        assert message.status_callback is not None
        form = {
            "MessageSid": message.sid, "SmsSid": message.sid, "AccountSid": message.account_sid,
            "From": message.from_, "To": message.to, "MessageStatus": message.status,
            "SmsStatus": message.status, "ApiVersion": "2010-04-01",
        }  # fmt: skip
        if message.error_code is not None:
            form["ErrorCode"] = str(message.error_code)
        headers = {}
        if self.auth_token:
            headers["X-Twilio-Signature"] = twilio_signature(
                self.auth_token, message.status_callback, form.items()
            )
        for wait in _TRIES:
            await asyncio.sleep(wait)
            try:
                response = await self._client.post(message.status_callback, data=form, headers=headers)
            except httpx.HTTPError as error:
                log.debug("receipt for %s not taken: %r", message.sid, error)
                continue
            if response.is_success:
                self.counts["posted"] += 1
                return
            if (
                response.is_client_error
            ):  # the receiver refuses it (a bad signature, say): no use trying again
                self.counts["refused"] += 1
                return
            log.debug("receipt for %s answered %s", message.sid, response.status_code)
        self.counts["failed"] += 1
