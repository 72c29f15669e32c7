"""The composition root of the notify service: settings in, ASGI app out."""

from __future__ import annotations

from fastapi import FastAPI

from services.notify.settings import NotifySettings
from shared.http import service_app
from shared.outbox_relay import OutboxRelay
from shared.runtime import Runtime

SERVICE = "notify"


def bootstrap(settings: NotifySettings) -> FastAPI:
    runtime = Runtime(SERVICE, settings, components=[OutboxRelay()])
    return service_app(runtime)
