"""The composition root of the routing service: settings in, ASGI app out."""

from __future__ import annotations

from fastapi import FastAPI

from services.routing.settings import RoutingSettings
from shared.http import service_app
from shared.outbox_relay import OutboxRelay
from shared.runtime import Runtime

SERVICE = "routing"


def bootstrap(settings: RoutingSettings) -> FastAPI:
    runtime = Runtime(SERVICE, settings, components=[OutboxRelay()])
    return service_app(runtime)
