"""How long a consumer has held its batch: what tells ``/readyz`` and ops that a consumer is stuck.

A consumer holds a batch from the moment it is handed the records until their offsets are committed:
milliseconds when all is well. While PostgreSQL or Kafka is unreachable it keeps retrying that batch, and
an offset commit may hang (see ``shared/messaging/offsets.py``); either way nothing behind the batch
moves. Past the service's ``CONSUMER_STUCK_AFTER_SECONDS`` its ``/readyz`` answers 503 naming
the group, and the gauge ``consumer_batch_held_seconds{group}`` says for how long, whether or not the
servers answer a ping.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator


class BatchWatch:
    """The time one consumer group's oldest batch in hand has been held; 0 while none is.

    A group may consume with several consumers in one process (each holding a batch of its partitions):
    the watch reports the one held longest.
    """

    def __init__(self, group: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.group = group
        self._clock = clock
        self._held: dict[object, float] = {}

    @contextlib.contextmanager
    def holding(self) -> Iterator[None]:
        """Hold a batch for the length of the ``with`` block."""
        token = object()
        self._held[token] = self._clock()
        try:
            yield
        finally:
            del self._held[token]

    def held_for(self) -> float:
        """Seconds the batch held longest has been in hand, or 0.0."""
        return self._clock() - min(self._held.values()) if self._held else 0.0
