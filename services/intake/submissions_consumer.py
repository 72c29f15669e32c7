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

from services.intake.submissions import Submissions
from shared.messaging.consumer import subscribe_batches
from shared.messaging.dlq import DeadLetterPublisher
from shared.service.retry import until_done
from shared.service.runtime import Runtime

log = logging.getLogger(__name__)
GROUP = "intake"


class SubmissionsConsumer:
    """A runtime component: consumer group ``<prefix>intake`` on ``complaints.submissions``."""

    def __init__(
        self, submissions: Callable[[], Submissions], *, batch_size: int = 500, consumers: int = 1
    ) -> None:
        self._submissions = submissions
        self.batch_size = batch_size
        self.consumers = consumers

    def setup(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._dead_letters = DeadLetterPublisher(runtime.topics.submissions_dlq, runtime.metrics.dlq_messages)
        subscribe_batches(
            runtime,
            runtime.topics.submissions,
            GROUP,
            self._on_batch,
            batch_size=self.batch_size,
            consumers=self.consumers,
        )

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def _on_batch(self, records: Sequence[ConsumerRecord]) -> None:
        letters = await self._submissions().file_records(records)
        if letters:
            publish = partial(self._dead_letters.publish, self._runtime.producer, letters)
            await until_done("publish dead letters", publish, log=log)
