"""The ``complaints.submissions`` subscriber: batches in, one filing transaction, dead letters, commit.

Offsets are committed only after the batch is filed and its dead letters are acknowledged by Kafka
(FastStream's default would commit first). While PostgreSQL or Kafka is unreachable the batch is
retried, however long it takes, and nothing is committed: a healthy submission is never dead-lettered.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial

from aiokafka import ConsumerRecord

from services.intake.submissions import Submissions
from shared.messaging.consumer import subscribe_batches
from shared.messaging.dlq import DeadLetterPublisher
from shared.service.infrastructure import Infrastructure
from shared.service.retry import until_done

log = logging.getLogger(__name__)
GROUP = "intake"


class SubmissionsConsumer:
    """A service component: consumer group ``<prefix>intake`` on ``complaints.submissions``, subscribed on
    the service's broker when it is built."""

    def __init__(
        self,
        infrastructure: Infrastructure,
        submissions: Submissions,
        *,
        batch_size: int = 500,
        consumers: int = 1,
    ) -> None:
        self._submissions = submissions
        self._producer = infrastructure.producer
        topics = infrastructure.topics
        self._dead_letters = DeadLetterPublisher(topics.submissions_dlq, infrastructure.metrics.dlq_messages)
        subscribe_batches(
            infrastructure,
            topics.submissions,
            GROUP,
            self._on_batch,
            batch_size=batch_size,
            consumers=consumers,
        )

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def _on_batch(self, records: Sequence[ConsumerRecord]) -> None:
        letters = await self._submissions.file_records(records)
        if letters:
            publish = partial(self._dead_letters.publish, self._producer.client, letters)
            await until_done("publish dead letters", publish, log=log)
