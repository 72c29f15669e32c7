"""The composition root of the routing service: settings in, ASGI app out."""

from __future__ import annotations

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from services.routing.domain.rules import load_rules
from services.routing.router import RouteFilings, RoutingMetrics
from services.routing.settings import RoutingSettings
from shared.messaging.consumer import CaseEventConsumer
from shared.messaging.outbox_relay import OutboxRelay
from shared.places.gazetteer import load_gazetteer
from shared.places.units_file import load_units
from shared.service.clock import Clock, system_clock
from shared.service.http import service_app
from shared.service.runtime import Runtime

SERVICE = "routing"


def bootstrap(settings: RoutingSettings, clock: Clock = system_clock) -> FastAPI:
    runtime = build_runtime(settings, clock)
    return service_app(runtime)


def build_runtime(settings: RoutingSettings, clock: Clock = system_clock) -> Runtime:
    """The routing runtime: the filings consumer and the outbox relay; files are read (and checked) here."""
    units = load_units(settings.units_file, load_gazetteer())
    rules = load_rules(settings.routing_rules_file)
    registry = CollectorRegistry()
    handler = RouteFilings(units, rules, clock, RoutingMetrics(registry))
    return Runtime(
        SERVICE, settings, components=[OutboxRelay(), CaseEventConsumer(SERVICE, handler)], registry=registry
    )
