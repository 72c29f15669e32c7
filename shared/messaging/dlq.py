"""Dead letters: the original bytes of a rejected message, with every reason, on a ``.dlq`` topic.

Headers (docs/contract.md §Topics, §Submissions): ``error`` is a UTF-8 JSON list of ``{field, message}``
(``field`` null when the bytes are not JSON), ``source-topic``, ``source-partition`` and ``source-offset``
decimal text.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer, ConsumerRecord
from prometheus_client import Counter


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

    @classmethod
    def of(cls, record: ConsumerRecord, errors: Iterable[FieldError]) -> DeadLetter:
        """The dead letter of the consumed ``record``, its bytes as they came."""
        return cls(record.topic, record.partition, record.offset, record.key, record.value, tuple(errors))

    def headers(self) -> list[tuple[str, bytes]]:
        reasons = [{"field": error.field, "message": error.message} for error in self.errors]
        return [
            ("error", json.dumps(reasons, ensure_ascii=False).encode()),
            ("source-topic", self.topic.encode()),
            ("source-partition", str(self.partition).encode()),
            ("source-offset", str(self.offset).encode()),
        ]


class DeadLetterPublisher:
    """Publishes dead letters to one DLQ topic and counts them in ``dlq_messages_total{topic}``."""

    def __init__(self, topic: str, counter: Counter) -> None:
        self.topic = topic
        self._counter = counter.labels(topic=topic)

    async def publish(self, producer: AIOKafkaProducer, letters: Sequence[DeadLetter]) -> None:
        """Send every letter and wait for Kafka's acknowledgements (raises on an outage: retry it)."""
        if not letters:
            return
        sends = [
            await producer.send(self.topic, letter.value, key=letter.key, headers=letter.headers())
            for letter in letters
        ]
        await asyncio.gather(*sends)
        self._counter.inc(len(letters))
