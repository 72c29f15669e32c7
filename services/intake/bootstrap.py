"""The composition root of the intake service: settings in, ASGI app out."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake.settings import IntakeSettings
from shared.http import service_app
from shared.outbox_relay import OutboxRelay
from shared.runtime import Runtime

SERVICE = "intake"


def bootstrap(settings: IntakeSettings) -> FastAPI:
    runtime = Runtime(SERVICE, settings, components=[OutboxRelay()])
    return service_app(runtime)
