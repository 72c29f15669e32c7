"""Where the end-to-end benchmark looks: ``case-events`` on Kafka (when each case was filed and assigned)
and the dev SMS gateway (which texts it took, and when).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from datetime import datetime
from types import TracebackType

import httpx
from aiokafka import AIOKafkaConsumer

from shared.messaging.outbox_relay import EVENT_TYPE_HEADER

WATCHED = ("ComplaintFiled", "CaseAssigned", "CaseNeedsTriage")
RECEIPT_MARK = "STATUS "  # the receipt, in either language, tells the citizen to reply "STATUS <reference>"


class CaseEventsWatch:
    """Reads ``case-events`` from the start while open; keeps, per watched event type, the Kafka timestamp
    (the relay's publishing time) of each case's first such record. Only headers and keys are read."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.consumer = AIOKafkaConsumer(
            topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False,
            fetch_max_wait_ms=20, max_poll_records=1000,
        )  # fmt: skip
        self.seen: dict[str, dict[str, float]] = {kind: {} for kind in WATCHED}
        self.reading: asyncio.Task[None] | None = None

    async def __aenter__(self) -> CaseEventsWatch:
        await self.consumer.start()
        self.reading = asyncio.create_task(self.read())
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.reading is not None:
            self.reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.reading
        await self.consumer.stop()

    async def read(self) -> None:
        """Until the watch is closed (its only way out: the task is cancelled)."""
        while True:
            batches = await self.consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    kind = dict(record.headers).get(EVENT_TYPE_HEADER, b"").decode()
                    if kind in self.seen and record.key is not None:
                        self.seen[kind].setdefault(record.key.decode(), record.timestamp / 1000)

    def count(self, kind: str) -> int:
        return len(self.seen[kind])

    def reached(self, kind: str, ids: Mapping[str, str]) -> dict[str, float]:
        """When each case of ``ids`` (case id -> channel message id) got its ``kind``, by message id."""
        seen = self.seen[kind]
        return {message: seen[case] for case, message in ids.items() if case in seen}


class Gateway:
    """The dev SMS gateway's listing and counts (it keeps every text of the run)."""

    def __init__(self, url: str) -> None:
        self.client = httpx.AsyncClient(base_url=url, timeout=30.0)

    async def __aenter__(self) -> Gateway:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.client.aclose()

    async def received_at_least(self, count: int) -> bool:
        answer = await self.client.get("/stats")
        answer.raise_for_status()
        return int(answer.json()["received"]) >= count

    async def receipts(self) -> dict[str, float]:
        """When the gateway took each receipt text, by the number it went to (epoch seconds)."""
        answer = await self.client.get("/messages")
        answer.raise_for_status()
        return {
            message["to"]: datetime.fromisoformat(message["date_created"]).timestamp()
            for message in answer.json()
            if RECEIPT_MARK in message["body"]
        }
