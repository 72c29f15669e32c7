"""Consumer lag: ``consumer_lag_records{group,topic}``, the records a consumer group has yet to read.

For each group this process subscribes (found on its FastStream broker), the end offsets of the topic's
partitions minus the group's committed offsets, summed over the partitions; a partition the group never
committed counts from its log start, where the groups begin reading. The figures are the group's as the
broker keeps them, asked every ``interval`` seconds by an admin client (committed offsets) and a consumer
outside any group (end and start offsets), so they hold whether this process's consumers are healthy or not,
and every replica of a service reports the same value for its groups (dashboards take the max). While the
broker does not answer, the last figures stay and the refresh tries again (the readiness alert says why).

``group`` is the name ``consumer_events{group}`` uses (without ``TOPIC_PREFIX``); ``topic`` the topic's
name on the broker. See docs/contract.md §Metrics.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry, Gauge

from shared.service.settings import ServiceSettings
from shared.service.tasks import BackgroundTasks, every

log = logging.getLogger(__name__)
NO_OFFSET = -1  # what the broker answers for a partition the group has not committed


@dataclass(frozen=True, slots=True)
class Subscription:
    """One consumer group reading one topic: ``group`` as labelled, ``group_id`` as the broker knows it."""

    group: str
    group_id: str
    topic: str


def subscriptions(broker: KafkaBroker, topic_prefix: str) -> list[Subscription]:
    """The (group, topic) pairs of the broker's subscribers that consume in a group; each once."""
    found: dict[tuple[str, str], Subscription] = {}
    for subscriber in broker.subscribers:
        group_id = getattr(subscriber, "group_id", None)
        if not group_id:
            continue
        group = group_id.removeprefix(topic_prefix)
        for topic in getattr(subscriber, "topic_names", ()):
            found[(group_id, topic)] = Subscription(group, group_id, topic)
    return list(found.values())


def records_behind(
    partitions: Iterable[int],
    end: Mapping[int, int],
    start: Mapping[int, int],
    committed: Mapping[int, int],
) -> int:
    """End offsets minus committed offsets over ``partitions`` (by partition number); never negative.

    A partition without a committed offset counts from its ``start``; one without an end offset counts 0.
    """
    behind = 0
    for partition in partitions:
        if partition not in end:
            continue
        offset = committed.get(partition, NO_OFFSET)
        if offset == NO_OFFSET:
            offset = start.get(partition, 0)
        behind += max(0, end[partition] - offset)
    return behind


class ConsumerLag:
    """A service component refreshing ``consumer_lag_records`` for the broker's consumer groups.

    The groups are read from ``broker`` when the component starts, so it must be built before or after the
    subscribers alike; a process that subscribes no group opens no client.
    """

    def __init__(
        self,
        broker: KafkaBroker,
        settings: ServiceSettings,
        registry: CollectorRegistry,
        *,
        interval: float = 5.0,
        timeout: float = 10.0,
    ) -> None:
        self._broker = broker
        self._bootstrap = settings.kafka_bootstrap_servers
        self._prefix = settings.topic_prefix
        self._client_id = f"{settings.topic_prefix}consumer-lag"
        self.interval = interval
        self.timeout = timeout
        self._gauge = Gauge(
            "consumer_lag_records",
            "Records of the topic the consumer group has not committed yet (end minus committed offsets, "
            "summed over partitions)",
            ["group", "topic"],
            registry=registry,
        )
        self._tasks = BackgroundTasks()
        self._offsets: _Offsets | None = None

    async def start(self) -> None:
        followed = subscriptions(self._broker, self._prefix)
        if followed:
            self._tasks.start("consumer-lag", self._run(followed))

    async def stop(self) -> None:
        await self._tasks.stop()

    async def _run(self, followed: list[Subscription]) -> None:
        try:
            await every(
                self.interval, partial(self._refresh, followed), log=log, failed="consumer lag not refreshed"
            )
        finally:
            await self._close()

    async def _refresh(self, followed: list[Subscription]) -> None:
        try:
            async with asyncio.timeout(self.timeout):
                self._offsets = self._offsets or await _Offsets.open(self._bootstrap, self._client_id)
                await self.refresh(self._offsets, followed)
        except Exception:
            await self._close()  # a client may be left half-connected: start afresh
            raise

    async def _close(self) -> None:
        offsets, self._offsets = self._offsets, None
        if offsets is not None:
            await offsets.close()

    async def refresh(self, offsets: _Offsets, followed: list[Subscription]) -> None:
        """Ask the broker once for every topic's and group's offsets, then set every gauge."""
        partitions = await offsets.partitions({s.topic for s in followed})
        end, start = await offsets.ends_and_starts(partitions)
        committed: dict[str, dict[TopicPartition, int]] = {}
        for group_id in {s.group_id for s in followed}:
            committed[group_id] = await offsets.committed(group_id)
        for s in followed:
            numbers = partitions.get(s.topic, [])
            by_number = {
                tp.partition: offset for tp, offset in committed[s.group_id].items() if tp.topic == s.topic
            }
            behind = records_behind(numbers, _of(end, s.topic), _of(start, s.topic), by_number)
            self._gauge.labels(group=s.group, topic=s.topic).set(behind)


def _of(offsets: Mapping[TopicPartition, int], topic: str) -> dict[int, int]:
    return {tp.partition: offset for tp, offset in offsets.items() if tp.topic == topic}


@dataclass
class _Offsets:
    """The two clients that answer for offsets: committed ones (admin), log ends (a consumer in no group)."""

    admin: Any
    consumer: Any

    @classmethod
    async def open(cls, bootstrap: str, client_id: str) -> _Offsets:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id=client_id)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, client_id=client_id, enable_auto_commit=False
        )
        opened = cls(admin, consumer)
        try:
            await admin.start()
            await consumer.start()
        except BaseException:
            await opened.close()
            raise
        return opened

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.consumer.stop()
        with contextlib.suppress(Exception):
            await self.admin.close()

    async def partitions(self, topics: set[str]) -> dict[str, list[int]]:
        """The partition numbers of those of ``topics`` that exist (asking for all topics creates none)."""
        described = await self.admin.describe_topics()
        return {
            topic["topic"]: sorted(partition["partition"] for partition in topic["partitions"])
            for topic in described
            if topic["topic"] in topics and not topic["error_code"]
        }

    async def ends_and_starts(
        self, partitions: Mapping[str, list[int]]
    ) -> tuple[dict[TopicPartition, int], dict[TopicPartition, int]]:
        wanted = [TopicPartition(topic, n) for topic, numbers in partitions.items() for n in numbers]
        if not wanted:
            return {}, {}
        return await self.consumer.end_offsets(wanted), await self.consumer.beginning_offsets(wanted)

    async def committed(self, group_id: str) -> dict[TopicPartition, int]:
        answer = await self.admin.list_consumer_group_offsets(group_id)
        return {tp: meta.offset for tp, meta in answer.items()}
