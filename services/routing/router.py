"""The routing consumer's handler: one decision (``CaseAssigned`` or ``CaseNeedsTriage``) per filing.

Each decision is appended on the version the filing left the stream at, without reading the stream, with
the key ``<ComplaintFiled id>:routing``, in the batch's transaction. When the stream has moved on (the
working group assigned the case first, or a citizen already wrote again) only that stream is read
(``shared.eventstore.decide_and_append``): a case that already has a decision is left alone; otherwise the
decision goes on top of the newer version.
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
from shared.eventstore import (
    Append,
    ConflictCounter,
    Connection,
    EventStore,
    Outcome,
    decide_and_append,
)
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
        self,
        units: UnitRegistry,
        rules: RoutingRules,
        clock: Clock,
        metrics: RoutingMetrics,
        conflicts: ConflictCounter,
    ) -> None:
        self._units = units
        self._rules = rules
        self._clock = clock
        self._metrics = metrics
        self._conflicts = conflicts

    def decision_for(self, filed: Envelope, now: datetime) -> NewEvent:
        """The routing decision for one filing, as the event to append."""
        payload = payload_of(filed, ComplaintFiled)
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
        await self.route(batch.store, batch.events, connection=batch.connection)

    async def route(
        self, store: EventStore, filings: Sequence[Envelope], *, connection: Connection | None = None
    ) -> dict[UUID, Outcome]:
        """Decide on each filing and append its decision; what became of each case."""
        now = self._clock()
        filed_at = {filed.case_id: filed for filed in filings}  # one filing per case
        decisions = {case_id: self.decision_for(filed, now) for case_id, filed in filed_at.items()}

        def undecided(case_id: UUID, stream: Sequence[Envelope]) -> list[NewEvent]:
            # A stream read after it moved: the working group (or routing itself, before) may have decided.
            return [] if any(event.type in DECISION_TYPES for event in stream) else [decisions[case_id]]

        # Each decision goes first on the version its filing left the stream at, without a read.
        first = [Append(case_id, filed.version, [decisions[case_id]]) for case_id, filed in filed_at.items()]
        decided = await decide_and_append(
            store, undecided, conflicts=self._conflicts, first=first, connection=connection
        )
        routed: dict[tuple[str, str, str], int] = {}
        for outcome in decided.cases.values():
            if outcome.appended is not None and not outcome.appended.duplicate:
                labels = _outcome(decisions[outcome.case_id].data)
                routed[labels] = routed.get(labels, 0) + 1
        for labels, count in routed.items():
            self._metrics.routed.labels(*labels).inc(count)
        return decided.cases


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
