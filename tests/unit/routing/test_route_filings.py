"""Routing's handler on the in-memory store: each decision goes on its filing's version without a read; a
stream that moved is read, and a case already decided there is left alone."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from services.routing.domain.rules import load_rules
from services.routing.router import RouteFilings, RoutingMetrics
from shared.events import Actor, CaseAssigned, CitizenReplied, Envelope
from shared.events.types import UnitRef
from shared.places.gazetteer import load_gazetteer
from shared.places.units import build_registry
from shared.testing.events import complaint_filed, new_event
from tests.unit.eventstore.racing import Conflicts, RacingStore

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
RULES = load_rules(Path(__file__).resolve().parents[3] / "deploy" / "routing-rules.yaml")
UNITS = build_registry(load_gazetteer())
GROUP = UnitRef(id="moi-working-group", kind="working_group", name="MoI working group")


class Routing:
    def __init__(self) -> None:
        self.store, self.conflicts, self.registry = RacingStore(), Conflicts(), CollectorRegistry()
        metrics = RoutingMetrics(self.registry)
        self.handler = RouteFilings(UNITS, RULES, lambda: NOW, metrics, self.conflicts.counter)

    async def file(self) -> Envelope:
        (filed,) = (
            await self.store.append(uuid.uuid4(), 0, [new_event(complaint_filed(district="1203"))])
        ).events
        return filed

    def routed(self, outcome: str = "assigned") -> float:
        labels = {"outcome": outcome, "authority_kind": "police", "province": "KH-12"}
        return self.registry.get_sample_value("cases_routed_total", labels) or 0.0


async def test_each_decision_goes_on_its_filings_version_without_a_read() -> None:
    routing = Routing()
    filings = [await routing.file(), await routing.file()]
    await routing.handler.route(routing.store, filings)
    for filed in filings:
        stream = await routing.store.read_stream(filed.case_id)
        assert [(e.type, e.version, e.causation_id) for e in stream[1:]] == [
            ("CaseAssigned", 2, filed.event_id)
        ]
    assert routing.store.reads == []
    assert (routing.routed(), routing.conflicts.counted) == (2, 0)


async def test_a_case_the_working_group_decided_first_is_left_alone() -> None:
    routing = Routing()
    filed, other = await routing.file(), await routing.file()
    assign = CaseAssigned(unit=GROUP, level=2, rule="working-group", reason="taken over at once")
    working_group = replace(new_event(assign), actor=Actor(kind="working_group", id="wg"))
    await routing.store.append(filed.case_id, 1, [working_group])
    await routing.handler.route(routing.store, [filed, other])
    stream = await routing.store.read_stream(filed.case_id)
    assert [(e.type, e.actor.kind) for e in stream] == [
        ("ComplaintFiled", "system"),
        ("CaseAssigned", "working_group"),
    ]
    assert routing.store.reads == [[filed.case_id]]  # only the stream that moved
    assert (routing.routed(), routing.conflicts.counted) == (1, 1)  # the other case's decision


async def test_a_decision_goes_on_top_of_what_the_citizen_wrote_meanwhile() -> None:
    routing = Routing()
    filed = await routing.file()
    await routing.store.append(filed.case_id, 1, [new_event(CitizenReplied(text="It was a red motorbike"))])
    await routing.handler.route(routing.store, [filed])
    stream = await routing.store.read_stream(filed.case_id)
    assert [(e.type, e.version) for e in stream] == [
        ("ComplaintFiled", 1),
        ("CitizenReplied", 2),
        ("CaseAssigned", 3),
    ]
    assert (routing.routed(), routing.conflicts.counted) == (1, 1)
