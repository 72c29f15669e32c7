"""The composition root of the notify service: settings in, ASGI app out."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from services.notify.domain.texts import load_texts
from services.notify.handler import NotifyHandler
from services.notify.metrics import NotifyMetrics
from services.notify.provider import SmsProvider
from services.notify.receipts import receipts_router
from services.notify.sender import SenderOptions, SmsSender
from services.notify.settings import NotifySettings
from services.notify.twilio import TwilioProvider
from shared.eventstore import MigrationSet
from shared.messaging.consumer import CaseEventConsumer
from shared.messaging.outbox_relay import OutboxRelay
from shared.places.gazetteer import load_gazetteer
from shared.places.units_file import load_units
from shared.service.http import service_app
from shared.service.runtime import Runtime

SERVICE = "notify"
MIGRATIONS = MigrationSet(SERVICE, Path(__file__).parent / "sql")


def bootstrap(settings: NotifySettings, provider: SmsProvider | None = None) -> FastAPI:
    registry = CollectorRegistry()
    metrics = NotifyMetrics(registry)
    runtime = build_runtime(settings, metrics, registry, provider)
    return service_app(runtime, routers=[receipts_router(settings, metrics)])


def build_runtime(
    settings: NotifySettings,
    metrics: NotifyMetrics,
    registry: CollectorRegistry,
    provider: SmsProvider | None = None,
) -> Runtime:
    """The notify runtime: the consumer writing notices, the sender, the relay; files are read (and
    checked) here, so a bad template or units file stops the service at start-up."""
    texts = load_texts(settings.sms_templates_dir)
    units = load_units(settings.units_file, load_gazetteer())
    sender = SmsSender(
        provider or twilio_provider(settings),
        units,
        metrics,
        settings.retry_policy,
        SenderOptions(
            concurrency=settings.sms_send_concurrency,
            lease_seconds=settings.sms_send_lease_seconds,
            poll_interval=settings.sms_poll_interval_seconds,
            rate_limit=settings.sms_rate_limit_per_second,
        ),
    )
    handler = NotifyHandler(texts, units, settings.sms_unit_language, metrics, on_written=sender.wake)
    return Runtime(
        SERVICE,
        settings,
        components=[OutboxRelay(), CaseEventConsumer(SERVICE, handler), sender],
        migrations=[MIGRATIONS],
        registry=registry,
    )


def twilio_provider(settings: NotifySettings) -> TwilioProvider:
    return TwilioProvider(
        settings.sms_api_base,
        settings.sms_account_sid,
        settings.sms_auth_token,
        settings.sms_from,
        settings.status_callback_url,
        timeout=settings.sms_request_timeout_seconds,
        max_connections=settings.sms_send_concurrency,
    )
