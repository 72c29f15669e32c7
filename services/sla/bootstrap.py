"""The composition root of the sla service: settings in, ASGI app out."""

from __future__ import annotations

from fastapi import FastAPI

from services.sla.settings import SlaSettings
from shared.http import service_app
from shared.outbox_relay import OutboxRelay
from shared.runtime import Runtime

SERVICE = "sla"


def bootstrap(settings: SlaSettings) -> FastAPI:
    runtime = Runtime(SERVICE, settings, components=[OutboxRelay()])
    return service_app(runtime)
