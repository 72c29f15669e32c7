"""Reading a dead-letter topic, and sending its letters back to their source topic once the cause is fixed.

A replay is recorded as the committed offsets of consumer group ``<prefix>dlq-replay`` on the DLQ topic:
each run sends what lies between those offsets and the topic's end as it was when the run began, then
commits that end, so a second run sends nothing again (docs/operations.md §Replaying dead letters). A run
that dies between its sends and its commit sends them again next time; the consumers' idempotency (filing
keys, tracking) keeps that from filing or handling anything twice.

A letter of a ``case-events`` consumer group goes back to ``case-events`` with the header ``replay-for``
naming that group: every other group skips it (shared/messaging/consumer.py), and the group's record of
having handled the event (it was marked handled when it was dead-lettered) is deleted first, so the
group handles it this time. A letter whose value was dropped as too large cannot be sent back; it is
counted, and its original is at its source offset for as long as the source topic keeps it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from shared.messaging.reasons import without_values
from shared.service.topics import Topics

REPLAY_GROUP = "dlq-replay"
REPLAY_FOR_HEADER = "replay-for"
REPLAYED_FROM_HEADER = "replayed-from"
Ends = dict[TopicPartition, int]


@dataclass(frozen=True, slots=True)
class Letter:
    """One dead letter as an operator may see it: where it is, where it came from, why; no value."""

    partition: int
    offset: int
    source_topic: str
    source_partition: int
    source_offset: int
    reasons: tuple[tuple[str | None, str], ...]
    value_size: int | None  # None when the value was dropped as too large
    key: bytes | None
    replayed: bool
    record: ConsumerRecord

    @classmethod
    def of(cls, record: ConsumerRecord, replayed: bool) -> Letter:
        headers = {name: bytes(value).decode(errors="replace") for name, value in record.headers or ()}
        raw = json.loads(headers.get("error") or "[]")
        # Letters written before reasons left values out may quote them: they are cut out here too.
        messages = without_values([str(reason.get("message")) for reason in raw], record.value)
        reasons = tuple((reason.get("field"), message) for reason, message in zip(raw, messages, strict=True))
        return cls(
            partition=record.partition,
            offset=record.offset,
            source_topic=headers.get("source-topic", ""),
            source_partition=int(headers.get("source-partition", "-1")),
            source_offset=int(headers.get("source-offset", "-1")),
            reasons=reasons,
            value_size=None if "value-dropped" in headers else len(record.value or b""),
            key=record.key,
            replayed=replayed,
            record=record,
        )

    @property
    def shown_key(self) -> str:
        """The key when it is a case id (a UUID, nobody's personal data); otherwise only its size."""
        if self.key is None:
            return "-"
        try:
            return str(UUID(self.key.decode()))
        except ValueError:
            return f"{len(self.key)} bytes"


@dataclass(frozen=True, slots=True)
class Replayed:
    sent: int
    not_replayable: int  # values dropped as too large


class DeadLetters:
    """One DLQ topic (named as in docs/contract.md §Topics, without ``TOPIC_PREFIX``) on a cluster."""

    def __init__(self, bootstrap: str, topics: Topics, name: str) -> None:
        if not name.endswith(".dlq"):
            raise ValueError(f"{name} is no dead-letter topic (their names end in .dlq)")
        self.bootstrap = bootstrap
        self.topics = topics
        self.topic = f"{topics.prefix}{name}"
        # A case-events consumer group's letters are for that group alone; the submissions DLQ's for intake.
        self.group = None if self.topic == topics.submissions_dlq else name.removesuffix(".dlq")

    async def list(self) -> list[Letter]:
        """Every letter on the topic now, each marked replayed or not."""
        async with self._consumer() as consumer:
            _, letters = await _read(consumer, from_committed=False)
        return letters

    async def replay(self, database_url: str | None = None) -> Replayed:
        """Send the letters not replayed before to their source topics, then record them as replayed.
        ``database_url`` is needed for a consumer group's letters (its handled-event records)."""
        async with self._consumer() as consumer:
            ends, letters = await _read(consumer, from_committed=True)
            sendable = [letter for letter in letters if letter.value_size is not None]
            if self.group is not None and sendable:
                if database_url is None:
                    raise ValueError("replaying a consumer group's dead letters needs DATABASE_URL")
                await _forget_handled(database_url, self.group, sendable)
            await self._send(sendable)
            if ends:
                await consumer.commit(ends)  # the ends as the run began: a letter come since waits
        return Replayed(sent=len(sendable), not_replayable=len(letters) - len(sendable))

    async def _send(self, letters: Sequence[Letter]) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all", enable_idempotence=True)
        await producer.start()
        try:
            sends = []
            for letter in letters:
                headers = [
                    (REPLAYED_FROM_HEADER, f"{self.topic}/{letter.partition}/{letter.offset}".encode())
                ]
                if self.group is not None:
                    headers.append((REPLAY_FOR_HEADER, self.group.encode()))
                record = letter.record
                sends.append(
                    await producer.send(letter.source_topic, record.value, key=record.key, headers=headers)
                )
            await asyncio.gather(*sends)
        finally:
            await producer.stop()

    def _consumer(self) -> _Consumer:
        return _Consumer(self.bootstrap, self.topic, f"{self.topics.prefix}{REPLAY_GROUP}")


class _Consumer:
    """A consumer assigned every partition of ``topic`` under ``group``, which it only commits to."""

    def __init__(self, bootstrap: str, topic: str, group: str) -> None:
        self._topic = topic
        self._client = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )

    async def __aenter__(self) -> AIOKafkaConsumer:
        await self._client.start()
        # Fresh metadata (what topics() reads, with the partitions it leaves out); a topic not there yet has
        # none, and asking a producer instead would create it.
        cluster = await self._client._client.fetch_all_metadata()
        numbers = cluster.partitions_for_topic(self._topic) or set()
        self._client.assign([TopicPartition(self._topic, number) for number in sorted(numbers)])
        return self._client

    async def __aexit__(self, *_: object) -> None:
        await self._client.stop()


async def _read(consumer: AIOKafkaConsumer, *, from_committed: bool) -> tuple[Ends, list[Letter]]:
    """The topic's end offsets now, and its letters up to them: all, or those after the committed offsets."""
    partitions = list(consumer.assignment())
    ends: Ends = await consumer.end_offsets(partitions)
    starts = await consumer.beginning_offsets(partitions)
    committed = {partition: await consumer.committed(partition) or 0 for partition in partitions}
    left, letters = {}, []
    for partition in partitions:
        start = max(starts[partition], committed[partition]) if from_committed else starts[partition]
        if start < ends[partition]:
            consumer.seek(partition, start)
            left[partition] = ends[partition]
    while left:
        batches = await consumer.getmany(*left, timeout_ms=1000)
        for partition, records in batches.items():
            letters += [
                Letter.of(record, replayed=record.offset < committed[partition])
                for record in records
                if record.offset < left[partition]  # letters come since the run began wait for the next
            ]
        for partition in [p for p in left if await consumer.position(p) >= left[p]]:
            del left[partition]
    return ends, sorted(letters, key=lambda letter: (letter.partition, letter.offset))


async def _forget_handled(database_url: str, group: str, letters: Sequence[Letter]) -> None:
    """Delete the group's record of having handled the letters' events (made when they were dead-lettered),
    so that the group handles them when they come back."""
    ids = []
    for letter in letters:
        try:
            ids.append(UUID(json.loads(letter.record.value or b"")["event_id"]))
        except (ValueError, KeyError, TypeError):
            continue  # not an envelope: it was never recorded as handled
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(
            "DELETE FROM consumer_recent_events WHERE consumer = $1 AND event_id = ANY($2::uuid[])",
            group,
            ids,
        )
    finally:
        await connection.close()
