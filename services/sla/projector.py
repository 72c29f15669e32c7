"""The deadlines projection: each case's next deadline, derived from its whole stream.

Runs as the ``sla`` group's case-events handler and as the ``sla_deadlines`` projection of the replay
command. For every case a batch touches it replays the stream as stored now (not only the batch's
events), so handling an event twice, late, or out of turn with the timer leaves the same row.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from services.sla import deadlines
from services.sla.deadlines import DeadlineRow
from services.sla.domain.clocks import replay, upcoming
from services.sla.domain.policy import SlaPolicy
from shared.events import Envelope
from shared.messaging.consumer import Batch

# The events that move a case's deadline and that other services write. ComplaintFiled starts no clock
# (its category is read when the stream is replayed). SlaBreached and CaseEscalated come from the timer,
# which writes the case's row in the same transaction as them: handling them again would only repeat its
# work (twice the load in a burst of breaches). A rebuild still accounts for them, since every case is
# replayed whole from its first event.
UPSTREAM_EVENT_TYPES = frozenset({
    "CaseNeedsTriage", "CaseAssigned", "CaseAcknowledged", "CaseRefused", "CaseResolved",
    "CaseInfoRequested", "CitizenReplied",
})  # fmt: skip


def derive(case_id: UUID, stream: Sequence[Envelope], policy: SlaPolicy) -> DeadlineRow:
    """The row the case's stream implies."""
    version = stream[-1].version if stream else 0
    return DeadlineRow(case_id, version, upcoming(replay(stream, policy), policy.ladder))


class DeadlineProjection:
    """Keeps ``sla_deadlines`` in step with the case streams (a ``Projection`` of shared.messaging)."""

    name = "sla_deadlines"
    tables = ("sla_deadlines",)
    event_types: frozenset[str] | None = UPSTREAM_EVENT_TYPES

    def __init__(self, policy: SlaPolicy) -> None:
        self.policy = policy

    async def handle(self, batch: Batch) -> None:
        case_ids = sorted({event.case_id for event in batch.events})
        streams = await batch.store.read_streams(case_ids, connection=batch.connection)
        rows = [derive(case_id, streams.get(case_id, []), self.policy) for case_id in case_ids]
        await deadlines.save(batch.connection, rows)
