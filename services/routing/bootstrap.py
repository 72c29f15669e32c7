"""The composition root of the routing service: settings in, ASGI app out."""

from __future__ import annotations

from fastapi import FastAPI

from services.routing.domain.rules import load_rules
from services.routing.router import RouteFilings, RoutingMetrics
from services.routing.settings import RoutingSettings
from shared.messaging.consumer import CaseEventConsumer
from shared.messaging.outbox_relay import OutboxRelay
from shared.places.gazetteer import load_gazetteer
from shared.places.units_file import load_units
from shared.service.clock import Clock, system_clock
from shared.service.http import service_app
from shared.service.infrastructure import Infrastructure
from shared.service.lifecycle import Lifecycle

SERVICE = "routing"


def bootstrap(settings: RoutingSettings, clock: Clock = system_clock) -> FastAPI:
    return service_app(build_lifecycle(settings, clock))


def build_lifecycle(settings: RoutingSettings, clock: Clock = system_clock) -> Lifecycle:
    """The routing service: the outbox relay and the filings consumer. The files are read (and checked)
    first: a bad one raises a ``ConfigurationError`` before anything is built."""
    units = load_units(settings.units_file, load_gazetteer())
    rules = load_rules(settings.routing_rules_file)
    infra = Infrastructure.build(SERVICE, settings)
    conflicts = infra.metrics.event_store_conflicts.labels(writer=SERVICE)
    handler = RouteFilings(units, rules, clock, RoutingMetrics(infra.registry), conflicts)
    relay = OutboxRelay(infra.database, infra.producer, infra.topics.case_events, infra.registry)
    return Lifecycle(infra, components=[relay, CaseEventConsumer(infra, SERVICE, handler)])
