"""The one ``case-events`` consumer every service uses instead of its own boilerplate.

Per batch of records: decode them (what does not decode is dead-lettered), open one transaction, record
the events as handled (shared.messaging.tracking: an event handled before is a redelivery and is skipped),
let the handler derive what it derives in that same transaction, commit, publish dead letters, and only
then commit the Kafka offsets. While PostgreSQL or Kafka is unreachable it waits and retries the same batch
without committing anything, however long the outage lasts: a healthy event is never dead-lettered.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol, TypeAlias, TypeVar
from uuid import UUID

from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka.annotations import KafkaMessage
from faststream.message import StreamMessage

from shared.events import Envelope, EventDecodeError, decode_envelope
from shared.eventstore.store import Connection, PostgresEventStore
from shared.messaging.dlq import DeadLetter, DeadLetterPublisher, FieldError
from shared.messaging.dlq_replay import REPLAY_FOR_HEADER
from shared.messaging.offsets import broker_answers, commit_offsets
from shared.messaging.outbox_relay import EVENT_TYPE_HEADER
from shared.messaging.reasons import error_reason
from shared.messaging.tracking import Delivery, track
from shared.service.database import Database
from shared.service.infrastructure import Infrastructure
from shared.service.metrics import CommonMetrics
from shared.service.producer import Producer
from shared.service.retry import until_done, worth_retrying

log = logging.getLogger(__name__)
Record: TypeAlias = ConsumerRecord  # aiokafka ships no type information
Pair: TypeAlias = tuple[Record, Envelope]
T = TypeVar("T")


@dataclass
class Batch:
    """The not-yet-handled events of one consumed batch, and the transaction to handle them in."""

    connection: Connection
    store: PostgresEventStore
    events: list[Envelope]
    rejected: list[tuple[Envelope, str]] = field(default_factory=list)

    def reject(self, event: Envelope, reason: str) -> None:
        """Mark ``event`` as one no retry can handle (a domain rule refuses it for good): dead-letter it."""
        self.rejected.append((event, reason))


class CaseEventHandler(Protocol):
    """What a service does with case events. ``handle`` runs inside the batch's transaction."""

    @property
    def event_types(self) -> frozenset[str] | None:
        """The types it wants; None for all."""

    async def handle(self, batch: Batch) -> None: ...


class CaseEventProcessor:
    """Takes one batch of records to the end: handled and tracked, or dead-lettered; never dropped."""

    def __init__(
        self,
        group: str,
        handler: CaseEventHandler,
        *,
        database: Database,
        producer: Producer,
        metrics: CommonMetrics,
        dead_letter_topic: str,
    ) -> None:
        self.group = group
        self.handler = handler
        self._database = database
        self._producer = producer
        self._dead_letters = DeadLetterPublisher(dead_letter_topic, metrics.dlq_messages)
        self._outcomes = metrics.consumed
        self._handling = metrics.event_handling
        self._retries = metrics.consumer_retries.labels(group=group)

    async def process(self, records: Sequence[Record]) -> None:
        pairs: list[Pair] = []
        letters: list[DeadLetter] = []
        types = self.handler.event_types
        skipped = 0
        for record in records:
            if types is not None and _header(record, EVENT_TYPE_HEADER) not in (None, *types):
                skipped += 1  # the relay named the type, and it is one this handler ignores
                continue
            if _header(record, REPLAY_FOR_HEADER) not in (None, self.group):
                skipped += 1  # another group's dead letter, sent back for that group alone (dlq_replay.py)
                continue
            try:
                pairs.append((record, decode_envelope(record.value or b"")))
            except EventDecodeError as error:
                letters.append(_letter(record, error.reason))
        wanted = [(record, event) for record, event in pairs if types is None or event.type in types]
        self._count("ignored", skipped + len(pairs) - len(wanted))
        if wanted:
            letters.extend(await self._until_done("handle a batch", partial(self._handle_batch, wanted)))
        if letters:
            publish = partial(self._dead_letters.publish, self._producer.client, letters)
            await self._until_done("publish dead letters", publish)
            self._count("dead_lettered", len(letters))

    async def _handle_batch(self, wanted: list[Pair]) -> list[DeadLetter]:
        try:
            return await self._in_transaction(wanted)
        except Exception as error:
            if worth_retrying(error) or len(wanted) == 1:
                raise
            # Something in the batch breaks the handler: handle one event at a time to find it.
            reason = error_reason(error)
            log.warning("%s: a batch failed (%s); handling its events one by one", self.group, reason)
            letters: list[DeadLetter] = []
            for pair in wanted:
                letters.extend(await self._until_done("handle an event", partial(self._handle_one, pair)))
            return letters

    async def _handle_one(self, pair: Pair) -> list[DeadLetter]:
        try:
            return await self._in_transaction([pair])
        except Exception as error:
            if worth_retrying(error):
                raise
            record, event = pair
            reason = error_reason(error)  # an error's message may quote the event's values: its type only
            log.error(
                "%s: event %s (%s) cannot be handled: %s", self.group, event.event_id, event.type, reason
            )
            async with self._database.pool.acquire() as connection, connection.transaction():
                await self._track(connection, [pair])
            return [_letter(record, f"handler failed: {reason}")]

    async def _in_transaction(self, wanted: list[Pair]) -> list[DeadLetter]:
        started = time.perf_counter()
        records: dict[UUID, Record] = {}
        async with self._database.pool.acquire() as connection, connection.transaction():
            fresh_ids = await self._track(connection, wanted)
            fresh: list[Envelope] = []
            for record, event in wanted:
                if event.event_id in fresh_ids:
                    fresh_ids.discard(event.event_id)  # the same event twice in one batch counts once
                    fresh.append(event)
                    records[event.event_id] = record
            batch = Batch(connection, PostgresEventStore(self._database.pool), fresh)
            if fresh:
                await self.handler.handle(batch)
        # Every event of the batch waited the whole transaction for its commit: one observation per type in
        # it (a batch's time shared among its events would read as a time no event took).
        elapsed = time.perf_counter() - started
        for event_type in {event.type for event in fresh}:
            self._handling.labels(event_type=event_type).observe(elapsed)
        self._count("handled", len(fresh) - len(batch.rejected))
        self._count("duplicate", len(wanted) - len(fresh))
        return [_letter(records[event.event_id], f"rejected: {reason}") for event, reason in batch.rejected]

    async def _track(self, connection: Connection, pairs: Sequence[Pair]) -> set[UUID]:
        deliveries = [
            Delivery(record.topic, record.partition, record.offset, event.event_id) for record, event in pairs
        ]
        return await track(connection, self.group, deliveries)

    async def _until_done(self, what: str, attempt: Callable[[], Awaitable[T]]) -> T:
        return await until_done(f"{self.group}: {what}", attempt, log=log, on_retry=self._retries.inc)

    def _count(self, outcome: str, amount: int) -> None:
        if amount:
            self._outcomes.labels(group=self.group, outcome=outcome).inc(amount)


def subscribe_batches(
    infrastructure: Infrastructure,
    topic: str,
    group: str,
    handle: Callable[[Sequence[Record]], Awaitable[None]],
    *,
    batch_size: int = 500,
    consumers: int = 1,
) -> None:
    """Subscribe ``handle`` to batches of raw records of ``topic`` under consumer group ``group`` (prefixed).

    Offsets are committed only after ``handle`` returns (FastStream's default would commit first), and
    ``handle`` must not return before the batch is taken care of: handled, or dead-lettered. With several
    ``consumers`` the group's partitions are shared among that many consumers in this process, each with a
    batch of its own in hand: one batch is decoded while another waits on its transaction. Called while the
    service is built: the subscribers are declared on its broker then, and consume once the broker starts.
    """
    watch = infrastructure.watch(group)
    producer, prefix = infrastructure.producer, infrastructure.settings.topic_prefix

    async def on_batch(message: KafkaMessage) -> None:
        records: Sequence[Record] = message.raw_message
        with watch.holding():
            await handle(records)
            await commit_offsets(group, message.ack, partial(broker_answers, producer.client))

    for _ in range(consumers):
        subscriber = infrastructure.broker.subscriber(
            topic,
            group_id=f"{prefix}{group}",
            batch=True,
            max_records=batch_size,
            batch_timeout_ms=50,
            fetch_max_wait_ms=20,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.MANUAL,
            # A long outage holds a batch for as long as it lasts; stay in the group meanwhile.
            max_poll_interval_ms=24 * 3600 * 1000,
            decoder=_undecoded,
        )
        subscriber(on_batch)


async def _undecoded(message: StreamMessage[Any]) -> None:
    """Handlers read the raw records: skip FastStream's decoding, which parses every record's JSON."""


class CaseEventConsumer:
    """A service component: ``handler`` subscribed to ``case-events`` under consumer group ``group``.

    Built on the service's infrastructure, it declares its subscriber on the broker there and then; the
    broker starts and stops with the service, so ``start`` and ``stop`` have nothing left to do.
    """

    def __init__(
        self, infrastructure: Infrastructure, group: str, handler: CaseEventHandler, *, batch_size: int = 500
    ) -> None:
        self.group = group
        self.handler = handler
        self.processor = CaseEventProcessor(
            group,
            handler,
            database=infrastructure.database,
            producer=infrastructure.producer,
            metrics=infrastructure.metrics,
            dead_letter_topic=infrastructure.topics.dlq_for_group(group),
        )
        subscribe_batches(
            infrastructure,
            infrastructure.topics.case_events,
            group,
            self.processor.process,
            batch_size=batch_size,
        )

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


def _header(record: Record, wanted: str) -> str | None:
    for name, value in record.headers or ():
        if name == wanted:
            return bytes(value).decode(errors="replace")
    return None


def _letter(record: Record, reason: str) -> DeadLetter:
    return DeadLetter.of(record, [FieldError(None, reason)])
