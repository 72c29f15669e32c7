"""Dead letters: the original bytes of a rejected message, with every reason, on a ``.dlq`` topic.

Headers (docs/contract.md §Topics, §Submissions): ``error`` is a UTF-8 JSON list of ``{field, message}``
(``field`` null when the bytes are not JSON), ``source-topic``, ``source-partition`` and ``source-offset``
decimal text. Reasons never quote the record's values (shared/messaging/reasons.py).

A dead letter the broker or the producer refuses as too large (a compressed submission the producer would
send uncompressed) is sent again without its value, and then without its key, with ``value-dropped`` (and
``key-dropped``) giving the size left out: one record must not hold its partition for ever, and the
original stays at its source offset for as long as the source topic keeps it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from aiokafka import AIOKafkaProducer, ConsumerRecord
from prometheus_client import Counter

from shared.messaging.reasons import MAX_REASONS, without_values
from shared.service.retry import RECORD_TOO_LARGE

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str | None
    message: str


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A consumed record that can never be handled, and why."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    errors: tuple[FieldError, ...]
    dropped: tuple[tuple[str, int], ...] = ()  # (header, size) of what trimmed() left out

    @classmethod
    def of(cls, record: ConsumerRecord, errors: Iterable[FieldError]) -> DeadLetter:
        """The dead letter of the consumed ``record``, its bytes as they came; the reasons without the
        record's values, at most :data:`MAX_REASONS` of them and one more saying how many were left out."""
        given = list(errors)
        kept = given[:MAX_REASONS]
        messages = without_values([error.message for error in kept], record.value)
        reasons = [FieldError(error.field, message) for error, message in zip(kept, messages, strict=True)]
        if len(given) > MAX_REASONS:
            reasons.append(FieldError(None, f"{len(given) - MAX_REASONS} more reasons left out"))
        return cls(record.topic, record.partition, record.offset, record.key, record.value, tuple(reasons))

    def trimmed(self) -> DeadLetter | None:
        """This letter without its value, or once that is gone without its key; None when nothing is left
        to drop."""
        if self.value is not None:
            return replace(self, value=None, dropped=(*self.dropped, ("value-dropped", len(self.value))))
        if self.key is not None:
            return replace(self, key=None, dropped=(*self.dropped, ("key-dropped", len(self.key))))
        return None

    def headers(self) -> list[tuple[str, bytes]]:
        reasons = [{"field": error.field, "message": error.message} for error in self.errors]
        return [
            ("error", json.dumps(reasons, ensure_ascii=False).encode()),
            ("source-topic", self.topic.encode()),
            ("source-partition", str(self.partition).encode()),
            ("source-offset", str(self.offset).encode()),
            *((name, str(size).encode()) for name, size in self.dropped),
        ]


class DeadLetterPublisher:
    """Publishes dead letters to one DLQ topic and counts them in ``dlq_messages_total{topic}``."""

    def __init__(self, topic: str, counter: Counter) -> None:
        self.topic = topic
        self._counter = counter.labels(topic=topic)

    async def publish(self, producer: AIOKafkaProducer, letters: Sequence[DeadLetter]) -> None:
        """Send every letter and wait for Kafka's acknowledgements (raises on an outage: retry it); a
        letter too large is sent trimmed."""
        if not letters:
            return
        sends = [self._send(producer, letter) for letter in letters]
        await asyncio.gather(*sends)
        self._counter.inc(len(letters))

    async def _send(self, producer: AIOKafkaProducer, letter: DeadLetter) -> None:
        while True:
            try:
                # send() refuses a record over the producer's request size at once; the broker's answer
                # refuses one over its own limit.
                await (
                    await producer.send(self.topic, letter.value, key=letter.key, headers=letter.headers())
                )
                return
            except RECORD_TOO_LARGE as error:
                smaller = letter.trimmed()
                if smaller is None:
                    raise
                log.warning(
                    "a dead letter of %s partition %d offset %d is too large (%s); sending it trimmed",
                    letter.topic, letter.partition, letter.offset, type(error).__name__,
                )  # fmt: skip
                letter = smaller
