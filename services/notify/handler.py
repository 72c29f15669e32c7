"""The ``notify`` consumer's handler: turns citizen-facing case events into notices (intents to send).

It runs in the consumer's batch transaction, so the notices of an event are written exactly when its
tracking row is: a redelivered event finds its tracking row and adds nothing (the unique key on
(event, recipient) guards the same, for a replay). The provider is never called from here: the sender
picks the notices up once this transaction has committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from uuid import UUID

from services.notify.domain.notices import NOTIFIED_TYPES, CaseFacts, holder_at, notices_for
from services.notify.domain.texts import Texts
from services.notify.metrics import NotifyMetrics
from services.notify.notifications import Intent, record_intents
from shared.events import CitizenReplied, ComplaintFiled, Envelope, EventDecodeError, payload_of
from shared.events.types import Language, UnitRef
from shared.messaging.consumer import Batch
from shared.places.units import UnitRegistry

log = logging.getLogger(__name__)


class NotifyHandler:
    """Writes the notices of each citizen-facing event; ``on_written`` wakes the sender in this process."""

    event_types = NOTIFIED_TYPES

    def __init__(
        self,
        texts: Texts,
        units: UnitRegistry,
        unit_language: Language,
        metrics: NotifyMetrics,
        on_written: Callable[[], None] = lambda: None,
    ) -> None:
        self.texts = texts
        self.units = units
        self.unit_language = unit_language
        self.metrics = metrics
        self.on_written = on_written

    async def handle(self, batch: Batch) -> None:
        facts = await self._facts(batch)
        holders = await _holders(batch)
        intents: list[Intent] = []
        for event in batch.events:
            case = facts.get(event.case_id)
            if case is None:
                batch.reject(event, "no ComplaintFiled in the case stream: nobody to notify")
                continue
            holder = holders.get(event.event_id)
            for notice in notices_for(
                payload_of(event), case, self.texts, self.units, self.unit_language, holder=holder
            ):
                intents.append(
                    Intent(event.event_id, event.type, event.case_id, event.correlation_id, notice)
                )
                if notice.skip:
                    self.metrics.skipped(notice.skip, notice.text.language)
        if await record_intents(batch.connection, intents):
            self.on_written()

    async def _facts(self, batch: Batch) -> dict[UUID, CaseFacts]:
        """Each case's facts: from a filing in the batch, else from the case stream in the store."""
        facts = {e.case_id: CaseFacts.of(f) for e in batch.events if (f := _filing(e)) is not None}
        missing = sorted({e.case_id for e in batch.events} - facts.keys())
        if missing:
            streams = await batch.store.read_streams(missing, connection=batch.connection)
            for case_id, stream in streams.items():
                filing = next((f for e in stream if (f := _filing(e)) is not None), None)
                if filing is not None:
                    facts[case_id] = CaseFacts.of(filing)
        return facts


async def _holders(batch: Batch) -> dict[UUID, UnitRef | None]:
    """The unit holding each replied-to case when the citizen replied, by the reply's event id."""
    replied = [e for e in batch.events if e.type == CitizenReplied.type_name()]
    if not replied:
        return {}
    streams = await batch.store.read_streams(
        sorted({e.case_id for e in replied}), connection=batch.connection
    )
    return {e.event_id: holder_at(streams.get(e.case_id, []), e.version) for e in replied}


def _filing(event: Envelope) -> ComplaintFiled | None:
    if event.type != ComplaintFiled.type_name():
        return None
    try:
        return payload_of(event, ComplaintFiled)
    except EventDecodeError:
        log.error("case %s: its ComplaintFiled %s does not validate", event.case_id, event.event_id)
        return None
