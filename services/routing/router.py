"""The routing consumer's handler: one decision (``CaseAssigned`` or ``CaseNeedsTriage``) per filing.

Each decision is appended on the version the filing left the stream at, with the key
``<ComplaintFiled id>:routing``, in the batch's transaction. When the stream has moved on (the working
group assigned the case first, or a citizen already wrote again) the handler reloads it: a case that
already has a decision is left alone; otherwise the decision goes on top of the newer version.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from prometheus_client import CollectorRegistry, Counter, Histogram

from services.routing.domain.decide import Assignment, Decision, Filing, decide
from services.routing.domain.rules import RoutingRules
from shared.events import (
    Actor,
    CaseAssigned,
    CaseNeedsTriage,
    ComplaintFiled,
    Envelope,
    EventData,
    NewEvent,
    payload_of,
)
from shared.eventstore import Append, Appended, VersionConflictError
from shared.messaging.consumer import Batch
from shared.places.units import UnitRegistry
from shared.service.clock import Clock

PRODUCER = "routing"
ACTOR = Actor(kind="system", id="routing")
DECISION_TYPES = frozenset({"CaseAssigned", "CaseNeedsTriage"})


class RoutingMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.routed = Counter(
            "cases_routed", "Routing decisions by outcome (assigned, triage), authority kind and province",
            ["outcome", "authority_kind", "province"], registry=registry,
        )  # fmt: skip
        self.decision_seconds = Histogram(
            "routing_decision_seconds", "Time to decide one filing (the pure decision alone)",
            buckets=(0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01), registry=registry,
        )  # fmt: skip


class RouteFilings:
    """A :class:`shared.messaging.consumer.CaseEventHandler` for ``ComplaintFiled``."""

    event_types = frozenset({"ComplaintFiled"})

    def __init__(
        self, units: UnitRegistry, rules: RoutingRules, clock: Clock, metrics: RoutingMetrics
    ) -> None:
        self._units = units
        self._rules = rules
        self._clock = clock
        self._metrics = metrics

    def decision_for(self, filed: Envelope, now: datetime) -> NewEvent:
        """The routing decision for one filing, as the event to append."""
        payload = payload_of(filed, ComplaintFiled)
        assert isinstance(payload, ComplaintFiled)
        started = time.perf_counter()
        decision = decide(filing_of(payload), self._units, self._rules)
        self._metrics.decision_seconds.observe(time.perf_counter() - started)
        return NewEvent(
            event_id=uuid.uuid4(),
            data=event_data(decision),
            idempotency_key=f"{filed.event_id}:routing",
            occurred_at=now,
            producer=PRODUCER,
            actor=ACTOR,
            causation_id=filed.event_id,
            correlation_id=filed.correlation_id or filed.event_id,
        )

    async def handle(self, batch: Batch) -> None:
        now = self._clock()
        pending = {filed.case_id: (filed.version, self.decision_for(filed, now)) for filed in batch.events}
        while pending:
            appends = [Append(case_id, version, [event]) for case_id, (version, event) in pending.items()]
            results = await batch.store.append_many(appends, connection=batch.connection)
            moved = [r.case_id for r in results if isinstance(r, VersionConflictError)]
            routed: dict[tuple[str, str, str], int] = {}
            for result in results:
                if isinstance(result, Appended) and not result.duplicate:
                    labels = _outcome(pending[result.case_id][1].data)
                    routed[labels] = routed.get(labels, 0) + 1
            for labels, count in routed.items():
                self._metrics.routed.labels(*labels).inc(count)
            pending = await self._still_undecided(batch, moved, pending)

    async def _still_undecided(
        self, batch: Batch, moved: Sequence[UUID], pending: dict[UUID, tuple[int, NewEvent]]
    ) -> dict[UUID, tuple[int, NewEvent]]:
        if not moved:
            return {}
        streams = await batch.store.read_streams(moved, connection=batch.connection)
        return {
            case_id: (len(stream), pending[case_id][1])
            for case_id, stream in streams.items()
            if not any(event.type in DECISION_TYPES for event in stream)
        }


def filing_of(payload: ComplaintFiled) -> Filing:
    """What the routing decision reads of a filing."""
    return Filing(
        category=payload.category,
        province=payload.location.province,
        district=payload.location.district,
        commune=payload.location.commune,
        confidential=payload.confidential,
        subject_kind=payload.subject.kind,
    )


def _outcome(data: EventData) -> tuple[str, str, str]:
    """The labels of ``cases_routed_total`` for a decision: outcome, authority kind, province."""
    if isinstance(data, CaseAssigned):
        return "assigned", data.unit.kind, data.unit.province or ""
    return "triage", "", ""


def event_data(decision: Decision) -> CaseAssigned | CaseNeedsTriage:
    """The decision as the data of the event routing appends."""
    if isinstance(decision, Assignment):
        return CaseAssigned(
            unit=decision.unit, level=decision.level, rule=decision.rule, reason=decision.reason
        )
    return CaseNeedsTriage(reason=f"{decision.reason} (rule {decision.rule})")
