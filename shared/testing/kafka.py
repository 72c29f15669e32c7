"""Reading and writing topics in tests with a plain aiokafka client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer


async def read_topic(
    bootstrap: str,
    topic: str,
    *,
    until: Callable[[list[Any]], bool],
    within: float = 60.0,
) -> list[Any]:
    """Every record of ``topic`` from the start, until ``until(records)`` holds or ``within`` seconds pass."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False,
        fetch_max_wait_ms=50,
    )  # fmt: skip
    records: list[Any] = []
    deadline = time.monotonic() + within
    await consumer.start()
    try:
        while not until(records) and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=200)
            for batch in batches.values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


async def produce(bootstrap: str, topic: str, messages: list[tuple[bytes | None, bytes]]) -> None:
    """Send ``(key, value)`` pairs and wait for every acknowledgement."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await asyncio.gather(*[await producer.send(topic, value, key=key) for key, value in messages])
    finally:
        await producer.stop()


async def eventually(check: Callable[[], Any], *, within: float = 60.0, interval: float = 0.1) -> Any:
    """Await ``check()`` (sync or async) until it returns something truthy; its last value otherwise."""
    deadline = time.monotonic() + within
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value or time.monotonic() >= deadline:
            return value
        await asyncio.sleep(interval)


def at_least(count: int) -> Callable[[list[Any]], bool]:
    """An ``until`` for :func:`read_topic`: stop once ``count`` records are in."""
    return lambda records: len(records) >= count
