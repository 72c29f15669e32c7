"""An in-memory store with a rival writer, for unit tests of what happens when a stream moves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from uuid import UUID

from prometheus_client import CollectorRegistry

from shared.events import Envelope, EventData, NewEvent
from shared.eventstore import ConflictCounter, Connection, InMemoryEventStore
from shared.service.metrics import CommonMetrics
from shared.testing.events import new_event


class RacingStore(InMemoryEventStore):
    """Right after each read of a stream, a rival appends the next of that stream's ``rivals`` (an event, or
    the data of one) to it, so that a decision made on what was read is stale. ``reads`` lists the cases of
    each ``read_streams``."""

    def __init__(self, rivals: Mapping[UUID, Sequence[EventData | NewEvent]] | None = None) -> None:
        super().__init__()
        self.rivals = {case_id: list(events) for case_id, events in (rivals or {}).items()}
        self.reads: list[list[UUID]] = []

    async def read_streams(
        self, case_ids: Sequence[UUID], *, connection: Connection | None = None
    ) -> dict[UUID, list[Envelope]]:
        streams = await super().read_streams(case_ids, connection=connection)
        self.reads.append(list(case_ids))
        for case_id in case_ids:
            if self.rivals.get(case_id):
                rival = self.rivals[case_id].pop(0)
                await self.append(case_id, None, [rival if isinstance(rival, NewEvent) else new_event(rival)])
        return streams


class Conflicts:
    """``event_store_conflicts_total`` of a registry of its own, for the writer ``tests``."""

    def __init__(self) -> None:
        self._registry = CollectorRegistry()
        self.counter: ConflictCounter = CommonMetrics(self._registry).event_store_conflicts.labels(
            writer="tests"
        )

    @property
    def counted(self) -> float:
        value = self._registry.get_sample_value("event_store_conflicts_total", {"writer": "tests"})
        return value or 0.0
