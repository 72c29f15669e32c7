"""The ``complaints.submissions`` subscriber: batches in, one filing transaction, dead letters, commit.

Offsets are committed only after the batch is filed and its dead letters are acknowledged by Kafka
(FastStream's default would commit first). While PostgreSQL or Kafka is unreachable the batch is
retried, however long it takes, and nothing is committed: a healthy submission is never dead-lettered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial

from aiokafka import ConsumerRecord
from aiokafka.errors import CommitFailedError
from faststream import AckPolicy
from faststream.kafka.annotations import KafkaMessage

from services.intake.submissions import Submissions
from shared.dlq import DeadLetterPublisher
from shared.retry import until_done
from shared.runtime import Runtime

log = logging.getLogger(__name__)
GROUP = "intake"


class SubmissionsConsumer:
    """A runtime component: consumer group ``<prefix>intake`` on ``complaints.submissions``."""

    def __init__(self, submissions: Callable[[], Submissions], *, batch_size: int = 500) -> None:
        self._submissions = submissions
        self.batch_size = batch_size

    def setup(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._dead_letters = DeadLetterPublisher(runtime.topics.submissions_dlq, runtime.metrics.dlq_messages)
        subscriber = runtime.broker.subscriber(
            runtime.topics.submissions,
            group_id=f"{runtime.settings.topic_prefix}{GROUP}",
            batch=True,
            max_records=self.batch_size,
            batch_timeout_ms=50,
            fetch_max_wait_ms=20,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.MANUAL,
            # An outage holds a batch for as long as it lasts: stay in the group meanwhile.
            max_poll_interval_ms=24 * 3600 * 1000,
        )
        subscriber(self._on_batch)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def _on_batch(self, message: KafkaMessage) -> None:
        records: Sequence[ConsumerRecord] = message.raw_message
        letters = await self._submissions().file_records(records)
        if letters:
            publish = partial(self._dead_letters.publish, self._runtime.producer, letters)
            await until_done("publish dead letters", publish, log=log)
        try:
            await until_done("commit offsets", message.ack, log=log)
        except CommitFailedError as error:
            # The group rebalanced; the new owner re-reads the batch and its filing keys find the cases.
            log.warning("submission offsets not committed after a rebalance: %s", error)
